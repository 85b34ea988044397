"""A look at a person's data is impossible without an audit event written first (issue 11)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from amina.audit.models import AuditEvent
from amina.clock import FixedClock
from amina.console import reads
from amina.console.reads import ReasonCategory
from amina.context import AppContext
from amina.officers.models import Role
from amina.web.app import create_app
from tests.conftest import Recorded
from tests.console.conftest import Console, api_headers
from tests.support.migrant import Migrant

VIEWS = ("", "/timeline", "/map", "/presence")


def looks(context: AppContext, person_id: uuid.UUID) -> int:
    with context.db.unit_of_work(readonly=True) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(AuditEvent)
                .where(
                    AuditEvent.person_id == person_id,
                    AuditEvent.action.in_(("person.opened", "person.viewed")),
                )
            )
            or 0
        )


def api_officer(context: AppContext, clock: FixedClock, client: TestClient) -> dict[str, str]:
    return api_headers(context, clock, client, Role.MMC_OFFICER)


def test_every_console_view_writes_one_audit_event_and_the_person_sees_it(
    console_as: Callable[..., Console], context: AppContext, signed_in: tuple[Recorded, Migrant]
) -> None:
    person, migrant = signed_in
    c = console_as(Role.MMC_OFFICER)
    before = looks(context, person.person_id)
    opened = c.post(
        f"/console/people/{person.person_id}/open",
        {"category": "deadline_check", "reason": "two days left, calling them"},
    )
    assert looks(context, person.person_id) == before + 1
    opening = opened.headers["location"].split("?o=")[1]
    for n, view in enumerate(VIEWS, start=2):
        response = c.client.get(f"/console/people/{person.person_id}{view}?o={opening}")
        assert response.status_code == 200
        assert looks(context, person.person_id) == before + n, view
    mine = migrant.http.get("/api/v1/me/looks", headers=migrant.auth)
    assert mine.status_code == 200, mine.text
    seen = mine.json()
    assert len(seen) == 5
    assert {s["category"] for s in seen} == {"deadline_check"}
    assert {s["role"] for s in seen} == {"mmc_officer"}
    assert {s["view"] for s in seen} == {"open", "person", "timeline", "map", "presence"}


def test_without_an_opening_nothing_is_shown(
    console_as: Callable[..., Console], context: AppContext, add_person: Callable[..., Recorded]
) -> None:
    person = add_person(surname="Ismoilova")
    c = console_as(Role.SUPERVISOR)
    for view in VIEWS:
        response = c.client.get(f"/console/people/{person.person_id}{view}")
        assert response.status_code == 403
        assert "Ismoilova" not in response.text
    forged = c.client.get(
        f"/console/people/{person.person_id}?o={person.person_id}.other.9999999999.x"
    )
    assert forged.status_code == 403
    # An opening is for one person only.
    other = add_person(surname="Other")
    opened = c.post(
        f"/console/people/{other.person_id}/open", {"category": "other", "reason": "a reason"}
    )
    token = opened.headers["location"].split("?o=")[1]
    assert c.client.get(f"/console/people/{person.person_id}?o={token}").status_code == 403
    assert looks(context, person.person_id) == 0


def test_if_the_audit_write_fails_the_page_fails_without_data(
    context: AppContext,
    clock: FixedClock,
    add_person: Callable[..., Recorded],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    person = add_person(surname="Yusupova")
    with TestClient(
        create_app(context.settings, context=context), raise_server_exceptions=False
    ) as client:
        headers = api_officer(context, clock, client)
        opened = client.post(
            f"/api/v1/officer/people/{person.person_id}/access",
            json={"category": "case_review", "reason": "reviewing the case"},
            headers=headers,
        )
        assert opened.status_code == 201, opened.text
        headers["Amina-Opening"] = opened.json()["opening"]
        assert (
            "Yusupova"
            in client.get(f"/api/v1/officer/people/{person.person_id}", headers=headers).text
        )

        def broken(*_args: Any, **_kwargs: Any) -> None:
            raise RuntimeError("the audit log is unavailable")

        monkeypatch.setattr(reads, "record", broken)
        for view in VIEWS:
            response = client.get(
                f"/api/v1/officer/people/{person.person_id}{view}", headers=headers
            )
            assert response.status_code == 500, view
            assert "Yusupova" not in response.text


def test_a_grant_cannot_be_made_without_the_audit() -> None:
    with pytest.raises(TypeError):
        reads.Grant(uuid.uuid4(), uuid.uuid4(), "person", ReasonCategory.OTHER, object())


def test_the_api_needs_a_reason_to_open(
    context: AppContext, clock: FixedClock, client: TestClient, add_person: Callable[..., Recorded]
) -> None:
    person = add_person()
    headers = api_officer(context, clock, client)
    short = client.post(
        f"/api/v1/officer/people/{person.person_id}/access",
        json={"category": "case_review", "reason": "x"},
        headers=headers,
    )
    assert (short.status_code, short.json()["error"]["code"]) == (422, "reason_required")
    plain = client.get(f"/api/v1/officer/people/{person.person_id}", headers=headers)
    assert (plain.status_code, plain.json()["error"]["code"]) == (403, "reason_required")
    assert looks(context, person.person_id) == 0


def test_an_audit_cursor_past_what_a_bigint_holds_is_a_422_not_a_500(
    context: AppContext, clock: FixedClock, console_as: Callable[..., Console]
) -> None:
    """Found by the fuzz pass: `?before=2**63` overflowed in the SQLite driver (a 500)."""
    api = TestClient(create_app(context.settings, context=context))
    auditor = api_headers(context, clock, api, Role.AUDITOR)
    for before, status in ((2**63, 422), (-1, 422), (2**63 - 1, 200), (0, 200)):
        response = api.get("/api/v1/officer/audit", params={"before": before}, headers=auditor)
        assert response.status_code == status, (before, response.text)
    console = console_as(Role.AUDITOR)
    assert console.client.get("/console/audit", params={"before": 2**63}).status_code == 422
    assert console.client.get("/console/audit", params={"before": 2**63 - 1}).status_code == 200
