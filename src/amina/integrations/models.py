"""Other agencies' systems: their keys, and the events they deliver."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime, enum_column, new_id


class ServiceKey(Base):
    __tablename__ = "service_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The key is 256 random bits, so a plain SHA-256 is a safe verifier.
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class EventType(StrEnum):
    LEFT_COUNTRY = "left_country"
    REGISTERED_ELSEWHERE = "registered_elsewhere"
    DEATH = "death"


class EventOutcome(StrEnum):
    DEREGISTERED = "deregistered"
    NO_ACTIVE_REGISTRATION = "no_active_registration"
    PERSON_NOT_FOUND = "person_not_found"
    RECORDED = "recorded"


class IntegrationEvent(Base):
    __tablename__ = "integration_events"
    __table_args__ = (
        UniqueConstraint("source", "source_ref"),
        # The console's timeline reads a person's events (issue 11).
        Index("ix_integration_events_person", "person_id", "occurred_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(100))
    source_ref: Mapped[str] = mapped_column(String(200))
    type: Mapped[EventType] = mapped_column(enum_column(EventType))
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    service_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("service_keys.id"))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    payload: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    outcome: Mapped[EventOutcome] = mapped_column(enum_column(EventOutcome))
