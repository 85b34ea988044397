"""The append-only, hash-chained audit log: who did what, when, and why."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_subject", "subject_type", "subject_id"),
        Index("ix_audit_events_person", "person_id"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    # Position in the chain: gap-free, so a deleted row is seen even at the end.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime)
    actor_type: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str | None] = mapped_column(String(64))
    # The person the event concerns, if any: their export lists every event about them.
    person_id: Mapped[uuid.UUID | None]
    reason: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The id of the HMAC key of `hash`; NULL for the unkeyed SHA-256 events before 0952.
    mac_kid: Mapped[str | None] = mapped_column(String(16))


class AuditHead(Base):
    """The chain's tip, one row. Appending locks it, so concurrent writers form one chain."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    hash: Mapped[str] = mapped_column(String(64))
    # HMAC of "seq:hash" under the audit key (NULL only for the empty chain): a chain rewritten
    # and downgraded to unkeyed SHA-256 links can't bring a head that matches.
    mac: Mapped[str | None] = mapped_column(String(64))
    mac_kid: Mapped[str | None] = mapped_column(String(16))
