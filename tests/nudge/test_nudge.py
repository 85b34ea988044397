"""The evening nudge: push only, once a day, after 19:00, near the deadline, and off on request."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.clock import FixedClock
from amina.context import AppContext
from amina.db import Database
from amina.notifications import catalog
from amina.notifications.models import Channel, Delivery, Notification
from amina.nudge.service import send_nudges
from amina.rules.calendar import MOSCOW
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def nudges(db: Database, person: Recorded) -> list[Notification]:
    with db.unit_of_work(readonly=True) as session:
        return list(
            session.scalars(
                select(Notification).where(
                    Notification.person_id == person.person_id,
                    Notification.kind.startswith("nudge_"),
                )
            )
        )


def run(context: AppContext, clock: FixedClock, at: str) -> int:
    clock.set(msk(at))
    with context.db.unit_of_work() as session:
        return send_nudges(session, now=clock.now(), settings=context.settings)


def test_the_nudge_comes_once_in_the_evening_before_a_step(
    registered: Registered, client: TestClient, clock: FixedClock, context: AppContext
) -> None:
    person, migrant = registered  # last monitoring Fri 20 Nov 10:00: reminder Tue 24 09:00
    assert run(context, clock, "2026-11-20T20:00") == 0  # reported today
    assert run(context, clock, "2026-11-23T18:59") == 0  # before 19:00
    assert run(context, clock, "2026-11-23T19:00") == 1  # Monday: the reminder is tomorrow
    assert run(context, clock, "2026-11-23T22:00") == 0  # never twice a day
    [nudge] = nudges(context.db, person)
    assert nudge.kind == "nudge_reminder" and nudge.window == "2026-11-23"
    body = catalog.render(nudge.kind, "en", nudge.params).body
    assert "24 November, 09:00" in body and "reminder" in body
    with context.db.unit_of_work(readonly=True) as session:
        channels = set(
            session.scalars(select(Delivery.channel).where(Delivery.notification_id == nudge.id))
        )
    assert Channel.SMS not in channels

    migrant.refresh()
    assert client.put("/api/v1/me/nudge", json={"enabled": False}, headers=migrant.auth).json() == {
        "enabled": False
    }
    assert client.get("/api/v1/me/nudge", headers=migrant.auth).json() == {"enabled": False}
    assert run(context, clock, "2026-11-24T19:30") == 0  # turned off
    migrant.refresh()
    bad = client.put("/api/v1/me/nudge", json={"enabled": "perhaps"}, headers=migrant.auth)
    assert bad.status_code == 422
