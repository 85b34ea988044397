"""The inbox, the delivery outbox, Web Push subscriptions, sent SMS and service keys (VAPID)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime, enum_column, new_id
from amina.rules.lifecycle import DeliveryStatus


class Channel(StrEnum):
    PUSH = "push"
    SMS = "sms"


class Notification(Base):
    """One message to a person, kept in their inbox. Its text is rendered from the translation
    catalogs in the person's language when shown or sent; only the kind and parameters are kept.

    (person, kind, window) is unique: the same reminder for the same absence exists once.
    """

    __tablename__ = "notifications"
    __table_args__ = (
        UniqueConstraint("person_id", "kind", "window"),
        Index("ix_notifications_person_created", "person_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[str] = mapped_column(String(40))
    window: Mapped[str] = mapped_column(String(80))
    params: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Delivery(Base):
    """The outbox: one row per notification and channel, written in the same transaction."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notification_id", "channel"),
        Index(
            "ix_deliveries_due",
            "next_attempt_at",
            sqlite_where=text("status IN ('pending', 'sending')"),
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    notification_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("notifications.id"))
    channel: Mapped[Channel] = mapped_column(enum_column(Channel))
    status: Mapped[DeliveryStatus] = mapped_column(enum_column(DeliveryStatus))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime)
    claimed_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PushSubscription(Base):
    __tablename__ = "push_subscriptions"
    __table_args__ = (Index("ix_push_subscriptions_person", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("devices.id"))
    endpoint: Mapped[str] = mapped_column(String(1000), unique=True)
    p256dh: Mapped[str] = mapped_column(String(200))
    auth: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SmsMessage(Base):
    """An SMS as handed to the gateway. The `log` backend stops here (`amina sms list`)."""

    __tablename__ = "sms_messages"
    __table_args__ = (Index("ix_sms_messages_phone_sent", "phone", "sent_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    phone: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    backend: Mapped[str] = mapped_column(String(20))
    # Why it was sent (the challenge or delivery id): a retried send is recognised.
    idempotency_key: Mapped[str | None] = mapped_column(String(80), unique=True)
    provider_ref: Mapped[str | None] = mapped_column(String(200))


class AppKey(Base):
    """Keys the service generates for itself on first run (the VAPID key pair)."""

    __tablename__ = "app_keys"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PushMessage(Base):
    """A Web Push as handed to the push service. The `log` backend stops here."""

    __tablename__ = "push_messages"
    __table_args__ = (Index("ix_push_messages_person_sent", "person_id", "sent_at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    subscription_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("push_subscriptions.id"))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    backend: Mapped[str] = mapped_column(String(20))
    # The delivery and subscription it was for: a retried push is recognised.
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    status_code: Mapped[int | None] = mapped_column(Integer)
