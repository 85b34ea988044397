"""Notifications: exactly once per (person, kind, window), channels, and the catalogs."""

from __future__ import annotations

import json
import re
import uuid
from importlib import resources
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.config import LANGUAGES
from amina.notifications import catalog
from amina.notifications.models import Channel, Delivery, Notification
from amina.notifications.service import notify
from amina.notifications.subscriptions import subscribe
from tests.conftest import DEFAULT_NOW, Recorded

PLACEHOLDER = re.compile(r"{(\w+)}")
SAMPLE = {
    "code": "123456",
    "address": "ММЦ Сахарово",
    "last_monitoring_on": "2026-11-20",
    "deregistration_at": "2026-11-26T00:00:00+03:00",
    "next_step_at": "2026-11-24T09:00:00+03:00",
    "occurred_on": "2026-11-21",
    "checked_in_at": "2026-11-20T10:00:00+03:00",
    "reason": "r",
    "basis": "b",
    "place": "p",
    # appointments (issue 12)
    "service": "Выдача карты",
    "slot_at": "2026-11-23T09:00:00+03:00",
    "options": "23.11 09:30",
    # the patent (issue 12)
    "days": 7,
    "months": 2,
    "valid_through_on": "2026-04-14",
    "series": "77",
    "number": "2600012345",
}


def channels_of(session: Session, notification_id: uuid.UUID | None) -> list[Channel]:
    return sorted(
        d.channel
        for d in session.scalars(
            select(Delivery).where(Delivery.notification_id == notification_id)
        )
    )


def test_the_same_notification_is_queued_once(session: Session, add_person: Any) -> None:
    person: Recorded = add_person()
    first = notify(
        session,
        now=DEFAULT_NOW,
        person_id=person.person_id,
        kind="reminder",
        window="w1",
        params=SAMPLE,
    )
    second = notify(
        session,
        now=DEFAULT_NOW,
        person_id=person.person_id,
        kind="reminder",
        window="w1",
        params=SAMPLE,
    )
    other_window = notify(
        session,
        now=DEFAULT_NOW,
        person_id=person.person_id,
        kind="reminder",
        window="w2",
        params=SAMPLE,
    )
    assert first is not None and second is None and other_window is not None
    rows = session.scalars(
        select(Notification).where(Notification.person_id == person.person_id)
    ).all()
    assert len(rows) == 2
    # A reminder goes by SMS too; without a browser subscribed there is nothing to push.
    assert channels_of(session, first) == [Channel.SMS]


def test_channels_follow_the_kind_and_the_subscriptions(session: Session, add_person: Any) -> None:
    person: Recorded = add_person()
    assert (
        channels_of(
            session,
            notify(
                session,
                now=DEFAULT_NOW,
                person_id=person.person_id,
                kind="location_off",
                window="1",
            ),
        )
        == []
    )
    subscribe(
        session,
        now=DEFAULT_NOW,
        person_id=person.person_id,
        device_id=None,
        endpoint="https://push.example/1",
        p256dh="B" + "A" * 86,
        auth="A" * 22,
        allow_local_http=False,
    )
    assert channels_of(
        session,
        notify(
            session, now=DEFAULT_NOW, person_id=person.person_id, kind="location_off", window="2"
        ),
    ) == [Channel.PUSH]
    assert channels_of(
        session,
        notify(
            session,
            now=DEFAULT_NOW,
            person_id=person.person_id,
            kind="reminder",
            window="3",
            params=SAMPLE,
        ),
    ) == [Channel.PUSH, Channel.SMS]
    assert (
        channels_of(
            session,
            notify(
                session,
                now=DEFAULT_NOW,
                person_id=person.person_id,
                kind="deregistered_death",
                window="4",
                params=SAMPLE,
            ),
        )
        == []
    )


def keys(language: str) -> list[str]:
    path = resources.files("amina.notifications") / "messages" / f"{language}.json"
    return list(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_catalog_has_every_message(language: str) -> None:
    assert keys(language) == keys("en")
    english = catalog.catalog("en")
    for key, text in catalog.catalog(language).items():
        assert text.strip(), key
        assert sorted(PLACEHOLDER.findall(text)) == sorted(PLACEHOLDER.findall(english[key])), key


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_renders_with_localised_dates(language: str) -> None:
    kinds = {key.rsplit(".", 1)[0] for key in keys("en") if key.endswith(".title")}
    for kind in kinds:
        rendered = catalog.render(kind, language, SAMPLE)
        assert rendered.title and rendered.body
        assert "{" not in rendered.body and "2026-11-26T" not in rendered.body
    sms = catalog.text("reminder.sms", language, SAMPLE) or ""
    assert "00:00" in sms and "26" in sms
    if language != "en":  # written in the language, not left in English
        assert sms != catalog.text("reminder.sms", "en", SAMPLE)
