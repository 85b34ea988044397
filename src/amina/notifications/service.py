"""Telling a person something: an inbox entry, plus outbox rows for push and SMS.

Everything is written in the caller's transaction, so a notification exists if and only if the
change that caused it was committed (a transactional outbox). (person, kind, window) is unique:
asking twice for the same reminder about the same absence creates it once.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from amina.bulk import insert_rows
from amina.errors import InvalidInput, NotFound
from amina.notifications import catalog
from amina.notifications.models import Channel, Delivery, Notification, PushSubscription
from amina.rules.lifecycle import DeliveryStatus

# SMS goes out for the steps that matter most, because the app may be what is broken.
SMS_KINDS = frozenset(
    {
        "reminder",
        "final_warning",
        "deregistered_no_geolocation",
        "deregistered_left_country",
        "deregistered_registered_elsewhere",
        "deregistered_officer_decision",
        "reinstated",
        "registry_listed",
        "registry_removed",
        "patent_reminder",
        "patent_lapsed",
        "booking_reminder_day_before",
        "booking_closed",
        "booking_closed_no_options",
    }
)
# Never pushed or texted: a phone that may now be in a bereaved family's hands.
INBOX_ONLY_KINDS = frozenset({"deregistered_death"})


@dataclass(frozen=True)
class Message:
    person_id: uuid.UUID
    kind: str
    window: str
    params: dict[str, Any] = field(default_factory=dict)


def channels_for(kind: str, *, can_push: bool) -> list[Channel]:
    """Push if the person has a subscription; SMS for the kinds that matter most."""
    channels = [Channel.PUSH] if can_push and kind not in INBOX_ONLY_KINDS else []
    if kind in SMS_KINDS:
        channels.append(Channel.SMS)
    return channels


def notify_many(session: Session, *, now: datetime, messages: list[Message]) -> list[uuid.UUID]:
    """Queue several notifications in a few statements; return the ids of those that were new
    (a (person, kind, window) already queued is left alone)."""
    if not messages:
        return []
    rows = [
        {
            "id": uuid.uuid4(),
            "person_id": m.person_id,
            "kind": m.kind,
            "window": m.window,
            "params": m.params,
            "created_at": now,
        }
        for m in messages
    ]
    created = set(
        insert_rows(
            session,
            Notification,
            rows,
            skip_conflicts_on=["person_id", "kind", "window"],
            returning="id",
        )
    )
    pushable = set(
        session.scalars(
            select(PushSubscription.person_id).where(
                PushSubscription.person_id.in_({m.person_id for m in messages}),
                PushSubscription.revoked_at.is_(None),
            )
        )
    )
    deliveries = [
        {
            "id": uuid.uuid4(),
            "notification_id": row["id"],
            "channel": channel,
            "status": DeliveryStatus.PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "created_at": now,
        }
        for row in rows
        if row["id"] in created
        for channel in channels_for(str(row["kind"]), can_push=row["person_id"] in pushable)
    ]
    insert_rows(session, Delivery, deliveries)
    return [
        notification_id
        for notification_id in (row["id"] for row in rows)
        if isinstance(notification_id, uuid.UUID) and notification_id in created
    ]


def notify(
    session: Session,
    *,
    now: datetime,
    person_id: uuid.UUID,
    kind: str,
    window: str,
    params: dict[str, Any] | None = None,
) -> uuid.UUID | None:
    """Queue a notification; returns its id, or None if this (kind, window) was already sent."""
    created = notify_many(
        session, now=now, messages=[Message(person_id, kind, window, params or {})]
    )
    return created[0] if created else None


@dataclass(frozen=True)
class InboxItem:
    id: uuid.UUID
    kind: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


@dataclass(frozen=True)
class InboxPage:
    items: list[InboxItem]
    next: str | None


def _encode_cursor(notification: Notification) -> str:
    raw = json.dumps([notification.created_at.isoformat(), str(notification.id)])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        created_at, notification_id = json.loads(raw)
        instant = datetime.fromisoformat(created_at)
        if instant.tzinfo is None:
            raise ValueError("naive")
        return instant, uuid.UUID(notification_id)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        raise InvalidInput("the cursor is not one we gave out", code="invalid_cursor") from None


def inbox(
    session: Session, *, person_id: uuid.UUID, language: str, after: str | None, limit: int = 50
) -> InboxPage:
    """Newest first; `next` continues with older ones."""
    query = select(Notification).where(Notification.person_id == person_id)
    if after:
        created_at, notification_id = _decode_cursor(after)
        query = query.where(
            or_(
                Notification.created_at < created_at,
                and_(Notification.created_at == created_at, Notification.id < notification_id),
            )
        )
    rows = session.scalars(
        query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit + 1)
    ).all()
    items = [as_item(row, language) for row in rows[:limit]]
    return InboxPage(items, _encode_cursor(rows[limit - 1]) if len(rows) > limit else None)


def as_item(notification: Notification, language: str) -> InboxItem:
    rendered = catalog.render(notification.kind, language, notification.params)
    return InboxItem(
        notification.id,
        notification.kind,
        rendered.title,
        rendered.body,
        notification.created_at,
        notification.read_at,
    )


def mark_read(
    session: Session, *, now: datetime, person_id: uuid.UUID, notification_id: uuid.UUID
) -> Notification:
    notification = session.get(Notification, notification_id)
    # Another person's notification is "not found", never "forbidden": ids reveal nothing.
    if notification is None or notification.person_id != person_id:
        raise NotFound("no such notification", code="notification_not_found")
    if notification.read_at is None:
        notification.read_at = now
    return notification
