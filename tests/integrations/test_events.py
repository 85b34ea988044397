"""Events from other agencies (issue 3): service keys, idempotency, deregistration grounds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.db import Database
from amina.integrations.service import create_key
from amina.notifications.models import Channel, Delivery, Notification
from amina.people.models import Person
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


@pytest.fixture
def service_key(db: Database, clock: FixedClock) -> str:
    with db.unit_of_work() as session:
        return create_key(session, now=clock.now(), actor=Actor("cli", "t"), name="border")


def event(who: Recorded, clock: FixedClock, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": "left_country",
        "source": "border-service",
        "source_ref": "crossing-1",
        "occurred_at": (clock.now() + timedelta(hours=1)).isoformat(),
        "person": {"card_number": who.card_number},
    }
    body.update(changes)
    return body


def post(client: TestClient, key: str, body: dict[str, Any]) -> Any:
    return client.post(
        "/api/v1/integrations/events", json=body, headers={"Authorization": f"Bearer {key}"}
    )


def test_left_country_deregisters_once_and_tells_the_person(
    registered: Registered,
    client: TestClient,
    service_key: str,
    clock: FixedClock,
    db: Database,
) -> None:
    person, migrant = registered
    clock.advance(timedelta(hours=2))
    body = event(person, clock, occurred_at=(clock.now() - timedelta(minutes=30)).isoformat())
    first = post(client, service_key, body)
    assert first.status_code == 202, first.text
    assert first.json()["outcome"] == "deregistered" and first.json()["duplicate"] is False
    again = post(client, service_key, body)
    assert again.status_code == 202
    assert again.json() == {**first.json(), "duplicate": True}
    migrant.refresh()
    registration = migrant.me()["registration"]
    assert registration["status"] == "deregistered" and registration["ground"] == "left_country"
    with db.unit_of_work(readonly=True) as session:
        notice = session.scalars(
            select(Notification).where(Notification.kind == "deregistered_left_country")
        ).one()
        channels = {
            d.channel
            for d in session.scalars(select(Delivery).where(Delivery.notification_id == notice.id))
        }
    assert channels == {Channel.SMS}  # by SMS: the app may be what is broken


def test_the_same_reference_for_a_different_event_is_a_conflict(
    registered: Registered, client: TestClient, service_key: str, clock: FixedClock
) -> None:
    person, _ = registered
    clock.advance(timedelta(hours=2))
    past = (clock.now() - timedelta(minutes=5)).isoformat()
    assert post(client, service_key, event(person, clock, occurred_at=past)).status_code == 202
    clash = post(
        client, service_key, event(person, clock, occurred_at=past, type="registered_elsewhere")
    )
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "source_ref_conflict"


def test_an_event_older_than_the_registration_never_ends_it(
    registered: Registered, client: TestClient, service_key: str, clock: FixedClock
) -> None:
    person, migrant = registered
    old = event(person, clock, occurred_at=(clock.now() - timedelta(days=3)).isoformat())
    assert post(client, service_key, old).json()["outcome"] == "no_active_registration"
    assert migrant.me()["registration"]["status"] == "active"


def test_unknown_people_are_recorded_not_guessed(
    client: TestClient, service_key: str, clock: FixedClock, add_person: Callable[..., Recorded]
) -> None:
    person = add_person()
    body = event(
        person,
        clock,
        person={"citizenship": "TJ", "passport_number": "ZZ0000001"},
        occurred_at=clock.now().isoformat(),
    )
    assert post(client, service_key, body).json()["outcome"] == "person_not_found"


def test_death_closes_the_registration_without_texting_the_phone(
    registered: Registered,
    client: TestClient,
    service_key: str,
    clock: FixedClock,
    db: Database,
) -> None:
    person, _ = registered
    clock.advance(timedelta(hours=1))
    body = event(
        person,
        clock,
        type="death",
        source_ref="record-9",
        occurred_at=(clock.now() - timedelta(minutes=1)).isoformat(),
        person={"citizenship": person.citizenship, "passport_number": person.passport},
    )
    assert post(client, service_key, body).json()["outcome"] == "deregistered"
    with db.unit_of_work(readonly=True) as session:
        assert session.get_one(Person, person.person_id).deceased_at is not None
        notice = session.scalars(
            select(Notification).where(Notification.kind == "deregistered_death")
        ).one()
        assert (
            session.scalars(select(Delivery).where(Delivery.notification_id == notice.id)).all()
            == []
        )


def test_keys_and_input_are_checked(
    client: TestClient, service_key: str, clock: FixedClock, add_person: Callable[..., Recorded]
) -> None:
    person = add_person()
    assert post(client, "amk_wrong", event(person, clock)).status_code == 401
    future = event(person, clock, occurred_at=(clock.now() + timedelta(hours=1)).isoformat())
    assert post(client, service_key, future).json()["error"]["code"] == "invalid_occurred_at"
    assert post(client, service_key, event(person, clock, type="arrested")).status_code == 422
    assert post(client, service_key, {"type": "death"}).status_code == 422
