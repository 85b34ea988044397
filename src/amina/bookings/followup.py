"""What happens to bookings after they are made: officers' closures (the people booked are told
at once and offered the nearest free slots), no-shows, and the reminders of rules.md §8."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.bookings import repo
from amina.bookings.catalog import booking_policy, service_of
from amina.bookings.models import Booking, BookingClosure
from amina.bookings.service import nearest_free_slots
from amina.config import Settings
from amina.errors import InvalidInput
from amina.notifications.catalog import json_params
from amina.notifications.service import notify
from amina.people.models import Person
from amina.rules.bookings import BookingStatus, Closure
from amina.rules.calendar import MOSCOW, moscow_day_span, moscow_instant

OFFERED_SLOTS = 3
MAX_REASON = 500


@dataclass(frozen=True)
class ClosureResult:
    closure: BookingClosure
    affected: list[Booking]


# Closures are for days the MMC may still open; anything else is a typo.
EARLIEST_DAY, LATEST_DAY = date(2025, 1, 1), date(2100, 12, 31)


def check_day(day: date) -> date:
    if not EARLIEST_DAY <= day <= LATEST_DAY:
        raise InvalidInput(
            f"the date must lie between {EARLIEST_DAY} and {LATEST_DAY}", code="invalid_date"
        )
    return day


def closure_span(day: date, starts: time | None, ends: time | None) -> tuple[datetime, datetime]:
    """A whole Moscow day, or part of one."""
    check_day(day)
    day_start, day_end = moscow_day_span(day)
    return (
        moscow_instant(day, starts) if starts else day_start,
        moscow_instant(day, ends) if ends else day_end,
    )


def _options(instants: list[datetime]) -> str:
    # Numbers only, so the same text reads in every language.
    return ", ".join(i.astimezone(MOSCOW).strftime("%d.%m %H:%M") for i in instants)


def close(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    actor: Actor,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    service_code: str | None = None,
    officer_id: uuid.UUID | None = None,
) -> ClosureResult:
    if ends_at <= starts_at:
        raise InvalidInput("a closure must end after it starts", code="invalid_closure")
    reason = reason.strip()
    if not reason or len(reason) > MAX_REASON:
        raise InvalidInput(
            f"a closure needs a reason (at most {MAX_REASON} characters)", code="reason_required"
        )
    if service_code is not None:
        service_of(settings, service_code)
    closure = BookingClosure(
        starts_at=starts_at,
        ends_at=ends_at,
        service=service_code,
        reason=reason,
        created_by=officer_id,
        created_at=now,
    )
    session.add(closure)
    session.flush()
    record(
        session,
        now=now,
        actor=actor,
        action="booking.closure_added",
        subject_type="booking_closure",
        subject_id=closure.id,
        reason=reason,
        data={"starts_at": starts_at, "ends_at": ends_at, "service": service_code},
    )
    length = booking_policy(settings).slot_length
    rule = Closure(starts_at, ends_at, service_code)
    affected: list[Booking] = []
    for booking in repo.booked_between(
        session, since=starts_at - length, until=ends_at, service=service_code
    ):
        if not rule.covers(booking.slot_start, booking.slot_start + length, booking.service):
            continue
        if not repo.end_if(session, booking_id=booking.id, now=now, status=BookingStatus.CLOSED):
            continue  # cancelled meanwhile
        repo.release_place(session, service=booking.service, starts_at=booking.slot_start)
        affected.append(booking)
    for booking in affected:
        session.refresh(booking)
        _tell_closed(session, now=now, settings=settings, booking=booking)
    return ClosureResult(closure, affected)


def _tell_closed(session: Session, *, now: datetime, settings: Settings, booking: Booking) -> None:
    person = session.get(Person, booking.person_id)
    language = person.language if person else "ru"
    offered = nearest_free_slots(
        session,
        now=now,
        settings=settings,
        service_code=booking.service,
        wanted=booking.slot_start,
        count=OFFERED_SLOTS,
    )
    notify(
        session,
        now=now,
        person_id=booking.person_id,
        kind="booking_closed" if offered else "booking_closed_no_options",
        window=str(booking.id),
        params=json_params(
            service=service_of(settings, booking.service).name(language),
            slot_at=booking.slot_start,
            options=_options(offered),
        ),
    )


def _service_name(settings: Settings, session: Session, person_id: uuid.UUID, code: str) -> str:
    person = session.get(Person, person_id)
    return service_of(settings, code).name(person.language if person else "ru")


def mark_no_shows(session: Session, *, now: datetime, settings: Settings) -> int:
    """Every booking nobody arrived for, `no_show_after` past its start; each exactly once."""
    started_before = now - booking_policy(settings).no_show_after
    missed = repo.mark_no_shows(session, now=now, started_before=started_before)
    for row in missed:
        notify(
            session,
            now=now,
            person_id=row.person_id,
            kind="booking_no_show",
            window=str(row.booking_id),
            params=json_params(
                service=_service_name(settings, session, row.person_id, row.service),
                slot_at=row.slot_start,
            ),
        )
        record(
            session,
            now=now,
            actor=Actor.system("bookings"),
            action="booking.no_show",
            subject_type="booking",
            subject_id=row.booking_id,
            person_id=row.person_id,
        )
    return len(missed)


REMINDER_KINDS = {"day_before": "booking_reminder_day_before", "soon": "booking_reminder_soon"}


def send_reminders(session: Session, *, now: datetime, settings: Settings) -> Counter[str]:
    sent: Counter[str] = Counter()
    for which, kind in REMINDER_KINDS.items():
        for row in repo.claim_reminders(session, now=now, which=which):
            notify(
                session,
                now=now,
                person_id=row.person_id,
                kind=kind,
                window=str(row.booking_id),
                params=json_params(
                    service=_service_name(settings, session, row.person_id, row.service),
                    slot_at=row.slot_start,
                ),
            )
            sent[f"reminder_{which}"] += 1
    return sent
