"""The console end to end in-process: sign-in, search, opening with a reason, every page."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from amina.officers.models import Role
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
