"""Booking use cases (rules.md §8): free slots, book, cancel, move, and the arrival itself.
Load → rules → conditional change → audit; never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.bookings import repo
from amina.bookings.catalog import booking_policy, service_of
from amina.bookings.models import Booking
from amina.calendar.service import calendar_of
from amina.config import Settings
from amina.errors import Conflict, InvalidInput, NotFound
from amina.rules import bookings as rules
from amina.rules.bookings import BookingStatus
from amina.rules.calendar import moscow_date, moscow_day_span

# Refusals that the request itself causes (422), as opposed to the state of the slot (409).
INPUT_REFUSALS = frozenset({"slot_in_past", "too_far_ahead", "not_a_slot"})
REFUSAL_TEXT = {
    "slot_in_past": "this slot has already started",
    "too_far_ahead": "this slot is further ahead than bookings are open",
    "not_a_slot": "the MMC has no slot that starts at this time",
    "slot_closed": "the MMC has closed this slot",
    "already_booked": "you already have an active booking for this service",
    "too_many_bookings": "you already have as many active bookings as allowed",
}


@dataclass(frozen=True)
class SlotView:
    start: datetime
    end: datetime
    capacity: int
    free: int


@dataclass(frozen=True)
class DayView:
    day: date
    slots: list[SlotView]


def free_slots(
    session: Session, *, now: datetime, settings: Settings, service_code: str, first_day: date
) -> list[DayView]:
    """Every bookable day from `first_day`, with each open slot and its free places."""
    service, policy = service_of(settings, service_code), booking_policy(settings)
    days = rules.bookable_days(now, first_day, policy)
    if not days:
        return []
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    since, until = moscow_day_span(days[0])[0], moscow_day_span(days[-1])[1]
    counts = repo.booked_counts(session, service=service.code, since=since, until=until)
    closures = repo.closures_between(session, since=since, until=until)
    views: list[DayView] = []
    for day in days:
        slots = [
            SlotView(
                start,
                start + policy.slot_length,
                service.capacity,
                max(0, service.capacity - counts.get(start, 0)),
            )
            for start in rules.slot_starts(day, calendar, policy)
            if start > now
            and not rules.is_closed(start, service.code, closures, policy.slot_length)
        ]
        views.append(DayView(day, slots))
    return views


def nearest_free_slots(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    service_code: str,
    wanted: datetime,
    count: int = 3,
) -> list[datetime]:
    days = free_slots(
        session, now=now, settings=settings, service_code=service_code, first_day=moscow_date(now)
    )
    free = [slot.start for day in days for slot in day.slots if slot.free > 0]
    return rules.nearest_free(wanted, free, count)


def book(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    person_id: uuid.UUID,
    service_code: str,
    slot_start: datetime,
    actor: Actor,
) -> Booking:
    service, policy = service_of(settings, service_code), booking_policy(settings)
    if slot_start.tzinfo is None:
        raise InvalidInput("slot_start needs a UTC offset", code="invalid_instant")
    if slot_start - now > timedelta(days=policy.days_ahead + 2):  # before any date arithmetic
        raise InvalidInput(REFUSAL_TEXT["too_far_ahead"], code="too_far_ahead")
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    # The slot itself first (past, too far, off the grid), then the closures that touch it.
    refusal = rules.slot_refusal(
        slot_start, service.code, now=now, calendar=calendar, closures=(), policy=policy
    )
    if refusal is None:
        closures = repo.closures_between(
            session, since=slot_start, until=slot_start + policy.slot_length
        )
        refusal = rules.slot_refusal(
            slot_start, service.code, now=now, calendar=calendar, closures=closures, policy=policy
        )
    if refusal is not None:
        error = InvalidInput if refusal in INPUT_REFUSALS else Conflict
        raise error(REFUSAL_TEXT[refusal], code=refusal)
    repo.lock_person(session, person_id)
    limit = rules.limit_refusal(repo.active_services(session, person_id), service.code, policy)
    if limit is not None:
        raise Conflict(REFUSAL_TEXT[limit], code=limit)
    if not repo.take_place(
        session, service=service.code, starts_at=slot_start, capacity=service.capacity
    ):
        raise Conflict("this slot is full; choose another", code="slot_full")
    reminders = rules.reminders(slot_start, now, policy)
    booking = Booking(
        person_id=person_id,
        service=service.code,
        slot_start=slot_start,
        status=BookingStatus.BOOKED,
        booked_at=now,
        day_before_at=reminders.day_before_at,
        soon_at=reminders.soon_at,
    )
    session.add(booking)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # the partial unique index: a concurrent booking for this service
        raise Conflict(REFUSAL_TEXT["already_booked"], code="already_booked") from None
    record(
        session,
        now=now,
        actor=actor,
        action="booking.booked",
        subject_type="booking",
        subject_id=booking.id,
        person_id=person_id,
        data={"service": service.code, "slot_start": slot_start},
    )
    return booking


def own_booking(session: Session, *, person_id: uuid.UUID, booking_id: uuid.UUID) -> Booking:
    booking = session.get(Booking, booking_id)
    # Another person's booking is "not found": ids reveal nothing.
    if booking is None or booking.person_id != person_id:
        raise NotFound("no such booking", code="booking_not_found")
    return booking


def cancel(
    session: Session,
    *,
    now: datetime,
    person_id: uuid.UUID,
    booking_id: uuid.UUID,
    actor: Actor,
) -> Booking:
    """Until the slot starts, at most once."""
    booking = own_booking(session, person_id=person_id, booking_id=booking_id)
    if not repo.end_if(
        session,
        booking_id=booking.id,
        now=now,
        status=BookingStatus.CANCELLED,
        person_id=person_id,
        before_start=True,
    ):
        raise Conflict(
            "only a booking that has not started yet can be cancelled",
            code="booking_not_cancellable",
        )
    repo.release_place(session, service=booking.service, starts_at=booking.slot_start)
    session.refresh(booking)
    record(
        session,
        now=now,
        actor=actor,
        action="booking.cancelled",
        subject_type="booking",
        subject_id=booking.id,
        person_id=person_id,
    )
    return booking


def move(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    person_id: uuid.UUID,
    booking_id: uuid.UUID,
    slot_start: datetime,
    actor: Actor,
) -> Booking:
    """A cancel plus a new booking in one transaction: if the new slot is refused, the error
    rolls the cancel back too, and the person keeps the booking they had."""
    old = cancel(session, now=now, person_id=person_id, booking_id=booking_id, actor=actor)
    new = book(
        session,
        now=now,
        settings=settings,
        person_id=person_id,
        service_code=old.service,
        slot_start=slot_start,
        actor=actor,
    )
    old.replaced_by = new.id
    session.flush()
    return new


def mark_arrived(
    session: Session,
    *,
    now: datetime,
    booking_id: uuid.UUID,
    officer_id: uuid.UUID | None,
    actor: Actor,
) -> Booking:
    """The officer scanned the ticket. Monitoring is told by the caller (see amina.arrival)."""
    booking = session.get(Booking, booking_id)
    if booking is None:
        raise NotFound("no such booking", code="booking_not_found")
    if not rules.can_arrive(booking.status, booking.slot_start, now) or not repo.end_if(
        session,
        booking_id=booking.id,
        now=now,
        status=BookingStatus.ARRIVED,
        allowed=(BookingStatus.BOOKED, BookingStatus.NO_SHOW),
    ):
        raise Conflict(
            "this booking cannot be marked arrived (wrong day, or not active)",
            code="booking_not_arrivable",
        )
    session.refresh(booking)
    booking.arrived_by = officer_id
    record(
        session,
        now=now,
        actor=actor,
        action="booking.arrived",
        subject_type="booking",
        subject_id=booking.id,
        person_id=booking.person_id,
    )
    return booking
