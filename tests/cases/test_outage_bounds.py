"""Issue 9, defect 5: one supervisor could suspend the regime with a ten-year outage, and then
every PUT /me/residence failed with a 500. Outages now have bounds, long ones need a second
supervisor, and the calendar never fails on a long one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.calendar.models import OutageSource
from amina.calendar.service import add_outage
from amina.clock import FixedClock
from amina.context import AppContext
from amina.officers.models import Role
from amina.officers.service import add_officer
from tests.conftest import Recorded
from tests.support.migrant import Migrant

PASSWORD = "correct horse battery staple"
Headers = dict[str, str]


@pytest.fixture
def supervisor(
    context: AppContext, client: TestClient, clock: FixedClock
) -> Callable[[str], Headers]:
    def make(username: str) -> Headers:
        with context.db.unit_of_work() as session:
            add_officer(
                session,
                now=clock.now(),
                actor=Actor("cli", "t"),
                username=username,
                display_name=username.title(),
                role=Role.SUPERVISOR,
                password=PASSWORD,
            )
        response = client.post(
            "/api/v1/officer/sessions", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return make


def declare(client: TestClient, headers: Headers, starts: str, ends: str) -> httpx.Response:
    return client.post(
        "/api/v1/officer/outages",
        headers=headers,
        json={"starts_at": starts, "ends_at": ends, "reason": "datacentre fire"},
    )


def test_a_ten_year_outage_is_refused(
    client: TestClient, supervisor: Callable[[str], Headers]
) -> None:
    anna = supervisor("anna")
    answer = declare(client, anna, "2020-01-01T00:00:00+03:00", "2030-01-01T00:00:00+03:00")
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "outage_too_far_ahead"
    too_old = declare(client, anna, "2026-09-01T00:00:00+03:00", "2026-09-02T00:00:00+03:00")
    assert too_old.json()["error"]["code"] == "outage_too_old"


def test_a_long_outage_counts_only_after_a_second_supervisor(
    client: TestClient, supervisor: Callable[[str], Headers], registered: tuple[Recorded, Migrant]
) -> None:
    _, migrant = registered
    before = migrant.me()["monitoring"]["deregistration_at"]
    anna, boris = supervisor("anna"), supervisor("boris")
    proposed = declare(client, anna, "2026-11-10T00:00:00+03:00", "2026-11-20T09:00:00+03:00")
    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert body["status"] == "proposed"
    assert migrant.me()["monitoring"]["deregistration_at"] == before  # not counted yet

    url = f"/api/v1/officer/outages/{body['id']}/approve"
    own = client.post(url, headers=anna)
    assert own.status_code == 403 and own.json()["error"]["code"] == "four_eyes"
    approved = client.post(url, headers=boris)
    assert approved.status_code == 200 and approved.json()["status"] == "active"
    twice = client.post(url, headers=boris)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "outage_not_proposed"


def test_a_short_outage_counts_at_once(
    client: TestClient, supervisor: Callable[[str], Headers]
) -> None:
    answer = declare(
        client, supervisor("anna"), "2026-11-19T08:00:00+03:00", "2026-11-19T14:00:00+03:00"
    )
    assert answer.status_code == 201 and answer.json()["status"] == "active"


def test_residence_and_deadlines_survive_a_decade_long_outage_on_record(
    registered: tuple[Recorded, Migrant], context: AppContext, clock: FixedClock
) -> None:
    """An outage from before the bounds existed (or a detected one that ran on): the calendar
    moves deadlines past it instead of raising CalendarError."""
    _, migrant = registered
    with context.db.unit_of_work() as session:
        add_outage(
            session,
            now=clock.now(),
            actor=Actor.system("test"),
            starts_at=datetime(2020, 1, 1, tzinfo=UTC),
            ends_at=datetime(2030, 1, 1, tzinfo=UTC),
            reason="legacy row",
            source=OutageSource.DECLARED,
        )
    moved = migrant.declare_residence(accommodation="hotel", moved_in_on="2026-11-20")
    assert moved.status_code == 200, moved.text
    assert migrant.me()["monitoring"]["deregistration_at"] >= "2030-01-01"
