"""Bookings, the per-slot counters that keep capacity, and officers' closures."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id
from amina.rules.bookings import BookingStatus


class BookingSlot(Base):
    """How many active bookings a (service, slot) holds. Booking increments it with a
    conditional UPDATE (`booked < capacity`), so capacity holds whatever the concurrency."""

    __tablename__ = "booking_slots"
    __table_args__ = (UniqueConstraint("service", "starts_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    service: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Booking(Base):
    __tablename__ = "bookings"
    __table_args__ = (
        # One active booking per service (rules.md §8), kept by the database itself.
        Index(
            "uq_bookings_active_service",
            "person_id",
            "service",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index("ix_bookings_person", "person_id"),
        Index("ix_bookings_status_slot", "status", "slot_start"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    service: Mapped[str] = mapped_column(String(40))
    slot_start: Mapped[datetime] = mapped_column(UtcDateTime)
    status: Mapped[BookingStatus] = mapped_column(enum_column(BookingStatus))
    booked_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    replaced_by: Mapped[uuid.UUID | None]
    arrived_by: Mapped[uuid.UUID | None]
    checkin_id: Mapped[uuid.UUID | None]
    day_before_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    day_before_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    soon_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    soon_sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class BookingClosure(Base):
    """An officer closed [starts_at, ends_at) for one service, or for all (service is null)."""

    __tablename__ = "booking_closures"
    __table_args__ = (Index("ix_booking_closures_ends", "ends_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    service: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
