"""Officers over the API (issue 4): check-ins, late evidence and reinstatement, the registry
with four eyes, and role checks made on the server."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.audit.service import Actor, verify
from amina.cases.models import Case
from amina.clock import FixedClock
from amina.context import AppContext
from amina.monitoring.sweep import sweep
from amina.notifications.models import Notification
from amina.officers.models import Role
from amina.officers.service import add_officer
from amina.rules.calendar import MOSCOW
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]
PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer(context: AppContext, client: TestClient, clock: FixedClock) -> Callable[..., Any]:
    """officer("anna", Role.SUPERVISOR) → Authorization headers for a new officer."""

    def make(username: str, role: Role = Role.MMC_OFFICER) -> dict[str, str]:
        with context.db.unit_of_work() as session:
            add_officer(
                session,
                now=clock.now(),
                actor=Actor("cli", "t"),
                username=username,
                display_name=username.title(),
                role=role,
                password=PASSWORD,
            )
        response = client.post(
            "/api/v1/officer/sessions", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return make


def kinds(context: AppContext, person: Recorded) -> list[str]:
    with context.db.unit_of_work(readonly=True) as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .where(Notification.person_id == person.person_id)
                .order_by(Notification.created_at)
            )
        )


def test_officer_sign_in_refuses_wrong_passwords(client: TestClient, officer: Any) -> None:
    officer("boris")
    wrong = client.post("/api/v1/officer/sessions", json={"username": "boris", "password": "x"})
    unknown = client.post("/api/v1/officer/sessions", json={"username": "nobody", "password": "x"})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    # A migrant's token is not an officer's token.
    assert (
        client.get(
            "/api/v1/officer/cases", headers={"Authorization": "Bearer nonsense"}
        ).status_code
        == 401
    )


def test_a_checkin_counts_as_monitoring(
    registered: Registered,
    client: TestClient,
    officer: Any,
    clock: FixedClock,
    context: AppContext,
) -> None:
    person, migrant = registered
    clock.advance(timedelta(days=2, hours=3))
    police = officer("petrov", Role.POLICE_OFFICER)
    response = client.post(
        "/api/v1/officer/checkins",
        headers=police,
        json={"card_number": person.card_number, "place": "ОМВД Тверской"},
    )
    assert response.status_code == 201, response.text
    migrant.refresh()
    me = migrant.me()
    assert me["monitoring"]["last_monitoring_at"] == response.json()["at"]
    assert kinds(context, person)[-1] == "checkin_recorded"


def test_roles_are_checked_on_the_server(
    registered: Registered, client: TestClient, officer: Any
) -> None:
    person, _ = registered
    admin = officer("it-admin", Role.ADMIN)
    refused = client.post(
        "/api/v1/officer/checkins", headers=admin, json={"card_number": person.card_number}
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_permitted"
    police = officer("sidorov", Role.POLICE_OFFICER)
    outage = client.post(
        "/api/v1/officer/outages",
        headers=police,
        json={
            "starts_at": "2026-11-20T01:00:00+03:00",
            "ends_at": "2026-11-20T02:00:00+03:00",
            "reason": "maintenance",
        },
    )
    assert outage.status_code == 403


def test_registry_needs_two_different_officers(
    registered: Registered, client: TestClient, officer: Any, context: AppContext
) -> None:
    person, migrant = registered
    anna, boris = officer("anna"), officer("boris", Role.SUPERVISOR)
    too_short = client.post(
        "/api/v1/officer/registry",
        headers=anna,
        json={"person_id": str(person.person_id), "basis": "bad"},
    )
    assert too_short.status_code == 422
    proposed = client.post(
        "/api/v1/officer/registry",
        headers=anna,
        json={
            "person_id": str(person.person_id),
            "basis": "Repeated violations of the location-accounting regime (cases on file).",
        },
    )
    assert proposed.status_code == 201, proposed.text
    entry = proposed.json()["id"]
    again = client.post(
        "/api/v1/officer/registry",
        headers=boris,
        json={
            "person_id": str(person.person_id),
            "basis": "A second proposal for the same person.",
        },
    )
    assert again.status_code == 409
    own = client.post(f"/api/v1/officer/registry/{entry}/approve", headers=anna)
    assert own.status_code == 403 and own.json()["error"]["code"] == "same_officer"
    assert migrant.me()["registry"]["listed"] is False
    approved = client.post(f"/api/v1/officer/registry/{entry}/approve", headers=boris)
    assert approved.status_code == 200 and approved.json()["status"] == "listed"
    assert migrant.me()["registry"]["listed"] is True
    assert kinds(context, person)[-1] == "registry_listed"
    no_reason = client.post(
        f"/api/v1/officer/registry/{entry}/remove", headers=anna, json={"reason": ""}
    )
    assert no_reason.status_code == 422
    removed = client.post(
        f"/api/v1/officer/registry/{entry}/remove",
        headers=anna,
        json={"reason": "Court decision of 19 November 2026 annulled it."},
    )
    assert removed.status_code == 200 and removed.json()["status"] == "removed"
    migrant.refresh()
    assert migrant.me()["registry"]["listed"] is False
    # The clock is pinned: both have one created_at, so only the set of the last two is ordered
    # by the checks above.
    assert sorted(kinds(context, person)[-2:]) == ["registry_listed", "registry_removed"]
    with context.db.unit_of_work(readonly=True) as session:
        assert verify(session).ok


def test_late_evidence_opens_a_review_and_reinstatement_restarts_the_count(
    signed_in: Registered,
    client: TestClient,
    officer: Any,
    clock: FixedClock,
    context: AppContext,
) -> None:
    person, migrant = signed_in
    last = datetime(2026, 11, 16, 12, 0, tzinfo=MOSCOW)
    clock.set(last)
    migrant.refresh()
    assert migrant.register(migrant.location(recorded_at=last)).status_code == 201
    for instant in ("2026-11-18T09:00", "2026-11-19T09:00", "2026-11-20T00:00"):
        when = datetime.fromisoformat(instant).replace(tzinfo=MOSCOW)
        clock.set(when)
        sweep(context.db, now=when, settings=context.settings)
    # The phone was offline; it sends what it buffered on Wednesday, a day later.
    clock.set(datetime(2026, 11, 21, 10, 0, tzinfo=MOSCOW))
    migrant.refresh()
    buffered = migrant.location(recorded_at=datetime(2026, 11, 18, 19, 0, tzinfo=MOSCOW))
    assert migrant.report(buffered).json()["accepted"] == [buffered["id"]]
    assert migrant.me()["registration"]["status"] == "deregistered"
    mmc = officer("olga")
    reviews = client.get(
        "/api/v1/officer/cases", headers=mmc, params={"kind": "reinstatement_review"}
    ).json()
    assert len(reviews) == 1 and reviews[0]["evidence"]["reports"] == 1
    decided = client.post(
        f"/api/v1/officer/cases/{reviews[0]['id']}/decision",
        headers=mmc,
        json={
            "outcome": "reinstated",
            "reason": "Buffered reports cover the gap: phone was offline.",
        },
    )
    assert decided.status_code == 200, decided.text
    me = migrant.me()
    assert me["registration"]["status"] == "active" and me["registration"]["ground"] is None
    # The count restarts from the decision (Sat 21 Nov): W1..W4 = 23..26 Nov.
    assert me["monitoring"]["deregistration_at"] == "2026-11-26T00:00:00+03:00"
    with context.db.unit_of_work(readonly=True) as session:
        outcomes = {c.kind.value: c.outcome.value for c in session.scalars(select(Case))}
    assert outcomes == {"violation": "superseded", "reinstatement_review": "reinstated"}
    assert "reinstated" in kinds(context, person)
    closed_again = client.post(
        f"/api/v1/officer/cases/{reviews[0]['id']}/decision",
        headers=mmc,
        json={"outcome": "rejected", "reason": "A second decision is not allowed."},
    )
    assert closed_again.status_code == 409
