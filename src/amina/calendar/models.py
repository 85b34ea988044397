"""Facts that change the working-day calendar: officers' overrides and service outages."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id


class CalendarOverride(Base):
    __tablename__ = "calendar_overrides"

    day: Mapped[date] = mapped_column(primary_key=True)
    is_working: Mapped[bool]
    reason: Mapped[str] = mapped_column(Text)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class OutageSource(StrEnum):
    DECLARED = "declared"
    DETECTED = "detected"


class OutageStatus(StrEnum):
    ACTIVE = "active"  # counts in the calendar
    PROPOSED = "proposed"  # longer than the limit: waits for a second supervisor


class Outage(Base):
    __tablename__ = "outages"
    __table_args__ = (Index("ix_outages_span", "starts_at", "ends_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(500))
    source: Mapped[OutageSource] = mapped_column(enum_column(OutageSource))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[OutageStatus] = mapped_column(
        enum_column(OutageStatus), default=OutageStatus.ACTIVE, server_default="active"
    )
    approved_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
