"""`amina demo`: a booking for tomorrow (or the next day the MMC is open), for the first demo
migrant, so that the Appointments screen has a ticket to show."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.bookings import repo
from amina.bookings.models import Booking
from amina.bookings.service import book, free_slots
from amina.config import Settings
from amina.people.service import find_card
from amina.rules.calendar import moscow_date

DEMO_CARD = "770000000016"
DEMO_SERVICE = "card_issue"
NOTE = f"card {DEMO_CARD} has a booking for tomorrow: open #/bookings"


def seed_demo_booking(session: Session, *, now: datetime, settings: Settings) -> Booking | None:
    """Books the first free slot from tomorrow on; does nothing if the person has one already."""
    card = find_card(session, DEMO_CARD)
    if card is None or DEMO_SERVICE in repo.active_services(session, card.person_id):
        return None
    days = free_slots(
        session,
        now=now,
        settings=settings,
        service_code=DEMO_SERVICE,
        first_day=moscow_date(now) + timedelta(days=1),
    )
    free = [slot.start for day in days for slot in day.slots if slot.free > 0]
    if not free:
        return None
    return book(
        session,
        now=now,
        settings=settings,
        person_id=card.person_id,
        service_code=DEMO_SERVICE,
        slot_start=free[0],
        actor=Actor("system", "demo"),
    )
