"""The console end to end in-process: sign-in, search, opening with a reason, every page."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.officers.models import Role
from amina.patents import service as patents
from tests.conftest import Recorded
from tests.console.conftest import Console


def test_console_answers_with_a_sign_in_page(client: TestClient) -> None:
    response = client.get("/console")
    assert response.status_code == 200
    assert 'name="password"' in response.text
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "amina_console_pre" in response.headers["set-cookie"]
    assert "samesite=strict" in response.headers["set-cookie"].lower()
    assert "httponly" in response.headers["set-cookie"].lower()


def test_a_supervisor_finds_and_opens_a_person(
    console_as: Callable[..., Console], add_person: Callable[..., Recorded]
) -> None:
    person = add_person(surname="Rahimova")
    c = console_as(Role.SUPERVISOR)
    found = c.post(
        "/console/search", {"kind": "card", "value": person.card_number}, "/console/search"
    )
    assert found.status_code == 200, found.text
    assert f"/console/people/{person.person_id}/open" in found.text
    assert "Rahimova" not in found.text  # masked
    refused = c.post(
        f"/console/people/{person.person_id}/open", {"category": "case_review", "reason": ""}
    )
    assert refused.status_code == 422
    opened = c.post(
        f"/console/people/{person.person_id}/open",
        {"category": "case_review", "reason": "checking the deadline"},
    )
    assert opened.status_code == 303
    target = opened.headers["location"]
    page = c.client.get(target)
    assert page.status_code == 200, page.text
    assert "Rahimova" in page.text
    opening = target.split("?o=")[1]
    for tab in ("timeline", "map", "presence"):
        response = c.client.get(f"/console/people/{person.person_id}/{tab}?o={opening}")
        assert response.status_code == 200, (tab, response.text[:500])
    for path in (
        "/console/queues/due-soon",
        "/console/cases",
        "/console/registry",
        "/console/outages",
        "/console/dashboards",
        "/console/audit",
        "/console/account",
        "/console/dashboards/steps.csv",
    ):
        response = c.client.get(path)
        assert response.status_code == 200, (path, response.text[:800])


def _open(c: Console, person: Recorded) -> str:
    opened = c.post(
        f"/console/people/{person.person_id}/open",
        {"category": "case_review", "reason": "checking the patent"},
    )
    assert opened.status_code == 303
    return str(opened.headers["location"])


def test_the_person_page_shows_the_patent_to_roles_that_may_see_it(
    console_as: Callable[..., Console],
    add_person: Callable[..., Recorded],
    context: AppContext,
    clock: FixedClock,
) -> None:
    person = add_person(surname="Nazarova")
    with context.db.unit_of_work() as session:
        patents.issue(
            session,
            now=clock.now(),
            settings=context.settings,
            actor=Actor("cli", "test"),
            person_id=person.person_id,
            series="77",
            number="2612345678",
            issued_on=date(2026, 11, 2),
            months=1,
            inn="500100732259",
        )
    mmc = console_as(Role.MMC_OFFICER, username="mmc-patent")
    page = mmc.client.get(_open(mmc, person))
    assert page.status_code == 200, page.text
    assert 'id="patent"' in page.text and "77 2612345678" in page.text
    assert "01.12.2026" in page.text or "2026-12-01" in page.text  # valid through
