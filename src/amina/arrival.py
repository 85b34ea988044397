"""Arrival at the MMC for a booking: the use case at the top that joins two features.

The officer's scan marks the booking `arrived` (bookings) and records an in-person check-in
that counts as monitoring (rules.md §4, §8; monitoring.checkin). Neither feature imports the
other: this module orchestrates both, in the caller's one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.bookings import service as bookings
from amina.bookings.models import Booking
from amina.config import Settings
from amina.monitoring.checkin import check_in
from amina.monitoring.models import Checkin
from amina.people.models import Person


@dataclass(frozen=True)
class Arrival:
    booking: Booking
    checkin: Checkin


def arrive(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    booking_id: uuid.UUID,
    actor: Actor,
    officer_id: uuid.UUID | None = None,
) -> Arrival:
    booking = bookings.mark_arrived(
        session, now=now, booking_id=booking_id, officer_id=officer_id, actor=actor
    )
    person = session.get(Person, booking.person_id)
    if person is None:  # pragma: no cover - a booking always belongs to a recorded person
        raise LookupError("booking without a person")
    checkin = check_in(
        session,
        now=now,
        settings=settings,
        person=person,
        actor=actor,
        place=settings.mmc_address,
        officer_id=officer_id,
    )
    booking.checkin_id = checkin.id
    session.flush()
    return Arrival(booking, checkin)
