"""Declaring the actual residence (rules.md §3).

Registering is `amina.enrolment.register` and deregistering
`amina.monitoring.deregistration.deregister`: both join features above this one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.calendar.service import load_calendar
from amina.config import Settings
from amina.districts.service import place_residence
from amina.errors import Conflict, InvalidInput
from amina.people.models import Person
from amina.registration import repo
from amina.registration.models import Residence
from amina.registration.schemas import ResidenceIn
from amina.rules import residence as rules
from amina.rules.calendar import moscow_date


def declare_residence(
    session: Session, *, now: datetime, settings: Settings, person: Person, declared: ResidenceIn
) -> Residence:
    registration = repo.active_registration(session, person.id)
    if registration is None:
        raise Conflict("register at the MMC address first", code="not_registered")
    address = (declared.address or "").strip() or None
    if rules.owes_address(declared.accommodation) and address is None:
        raise InvalidInput(
            "an address is required for private accommodation", code="address_required"
        )
    today = moscow_date(now)
    if declared.moved_in_on > today or declared.moved_in_on < person.entry_date:
        raise InvalidInput(
            "the moving-in date must lie between your entry and today", code="invalid_moved_in_on"
        )
    calendar = load_calendar(session, min_available_hours=settings.min_available_hours)
    # The allowance runs from the move, but never before the person could report it at all.
    counted_from = max(declared.moved_in_on, moscow_date(registration.registered_at))
    late = rules.reported_late(counted_from, now, calendar, settings.residence_report_working_days)
    current = repo.current_residence(session, person.id)
    if current is not None:
        current.ended_on = max(declared.moved_in_on, current.moved_in_on)
    residence = Residence(
        person_id=person.id,
        address=address,
        accommodation=declared.accommodation,
        moved_in_on=declared.moved_in_on,
        reported_at=now,
        reported_late=late,
        place=f"{declared.place.lat},{declared.place.lon}" if declared.place else None,
    )
    session.add(residence)
    session.flush()
    place_residence(session, now=now, person_id=person.id, place=residence.place)
    record(
        session,
        now=now,
        actor=Actor.person(person.id),
        action="residence.declared",
        subject_type="person",
        subject_id=person.id,
        data={
            "residence_id": str(residence.id),
            "accommodation": declared.accommodation.value,
            "reported_late": late,
        },
    )
    return residence
