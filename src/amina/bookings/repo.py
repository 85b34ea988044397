"""The queries of the bookings feature. Every "exactly once" step is a conditional UPDATE."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amina.bookings.models import Booking, BookingClosure, BookingSlot
from amina.db import insert_ignoring_conflict, new_id, table_of
from amina.people.models import Person
from amina.rules.bookings import BookingStatus, Closure

BOOKED = BookingStatus.BOOKED


@dataclass(frozen=True)
class Claimed:
    """A booking a job step has just claimed."""

    booking_id: uuid.UUID
    person_id: uuid.UUID
    service: str
    slot_start: datetime


def take_place(session: Session, *, service: str, starts_at: datetime, capacity: int) -> bool:
    """One more booking in the slot, if it has room: the row's counter is only ever moved by
    this conditional UPDATE, so two writers can never both take the last place."""
    insert_ignoring_conflict(
        session,
        BookingSlot,
        {"id": new_id(), "service": service, "starts_at": starts_at, "booked": 0},
        ["service", "starts_at"],
    )
    slots = table_of(BookingSlot)
    taken = session.execute(
        update(slots)
        .where(
            slots.c.service == service,
            slots.c.starts_at == starts_at,
            slots.c.booked < capacity,
        )
        .values(booked=slots.c.booked + 1)
        .returning(slots.c.id)
    ).first()
    return taken is not None


def release_place(session: Session, *, service: str, starts_at: datetime) -> None:
    slots = table_of(BookingSlot)
    session.execute(
        update(slots)
        .where(slots.c.service == service, slots.c.starts_at == starts_at, slots.c.booked > 0)
        .values(booked=slots.c.booked - 1)
    )


def booked_counts(
    session: Session, *, service: str, since: datetime, until: datetime
) -> dict[datetime, int]:
    rows = session.execute(
        select(BookingSlot.starts_at, BookingSlot.booked).where(
            BookingSlot.service == service,
            BookingSlot.starts_at >= since,
            BookingSlot.starts_at < until,
        )
    )
    return dict(rows.all())


def closures_between(session: Session, *, since: datetime, until: datetime) -> list[Closure]:
    rows = session.scalars(
        select(BookingClosure).where(
            BookingClosure.ends_at > since, BookingClosure.starts_at < until
        )
    )
    return [Closure(row.starts_at, row.ends_at, row.service) for row in rows]


def lock_person(session: Session, person_id: uuid.UUID) -> None:
    """Serialises one person's bookings (the limit of three counts rows, so it needs a lock)."""
    session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


def active_services(session: Session, person_id: uuid.UUID) -> list[str]:
    return list(
        session.scalars(
            select(Booking.service).where(Booking.person_id == person_id, Booking.status == BOOKED)
        )
    )


def bookings_of(session: Session, person_id: uuid.UUID, limit: int = 50) -> Sequence[Booking]:
    return session.scalars(
        select(Booking)
        .where(Booking.person_id == person_id)
        .order_by(Booking.slot_start.desc())
        .limit(limit)
    ).all()


def end_if(
    session: Session,
    *,
    booking_id: uuid.UUID,
    now: datetime,
    status: BookingStatus,
    allowed: Sequence[BookingStatus] = (BOOKED,),
    person_id: uuid.UUID | None = None,
    before_start: bool = False,
) -> bool:
    """Move one booking out of `allowed` into `status`, at most once."""
    bookings = table_of(Booking)
    statement = update(bookings).where(
        bookings.c.id == booking_id, bookings.c.status.in_([s.value for s in allowed])
    )
    if person_id is not None:
        statement = statement.where(bookings.c.person_id == person_id)
    if before_start:
        statement = statement.where(bookings.c.slot_start > now)
    done = session.execute(
        statement.values(status=status.value, ended_at=now).returning(bookings.c.id)
    ).first()
    if done is not None:
        session.expire_all()
    return done is not None


def mark_no_shows(session: Session, *, now: datetime, started_before: datetime) -> list[Claimed]:
    bookings = table_of(Booking)
    return _claimed(
        session.execute(
            update(bookings)
            .where(bookings.c.status == BOOKED.value, bookings.c.slot_start <= started_before)
            .values(status=BookingStatus.NO_SHOW.value, ended_at=now)
            .returning(
                bookings.c.id, bookings.c.person_id, bookings.c.service, bookings.c.slot_start
            )
        )
    )


def claim_reminders(session: Session, *, now: datetime, which: str) -> list[Claimed]:
    """Bookings whose `which` reminder (day_before or soon) is due, each claimed once."""
    bookings = table_of(Booking)
    due, sent = bookings.c[f"{which}_at"], bookings.c[f"{which}_sent_at"]
    return _claimed(
        session.execute(
            update(bookings)
            .where(
                bookings.c.status == BOOKED.value,
                due.is_not(None),
                due <= now,
                sent.is_(None),
                bookings.c.slot_start > now,
            )
            .values({sent: now})
            .returning(
                bookings.c.id, bookings.c.person_id, bookings.c.service, bookings.c.slot_start
            )
        )
    )


def booked_between(
    session: Session, *, since: datetime, until: datetime, service: str | None
) -> Sequence[Booking]:
    query = select(Booking).where(
        Booking.status == BOOKED, Booking.slot_start >= since, Booking.slot_start < until
    )
    if service is not None:
        query = query.where(Booking.service == service)
    return session.scalars(query.order_by(Booking.slot_start)).all()


def on_day(session: Session, *, since: datetime, until: datetime) -> Sequence[Booking]:
    return session.scalars(
        select(Booking)
        .where(Booking.slot_start >= since, Booking.slot_start < until)
        .order_by(Booking.slot_start, Booking.booked_at)
    ).all()


def _claimed(rows: Iterable[Any]) -> list[Claimed]:
    return [Claimed(row[0], row[1], row[2], row[3]) for row in rows]
