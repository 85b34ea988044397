"""Registering at the MMC address, and declaring the actual residence (rules.md §3)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.calendar.service import load_calendar
from amina.cases import service as cases
from amina.config import Settings
from amina.districts.service import place_residence
from amina.errors import Conflict, Forbidden, InvalidInput
from amina.monitoring import intake
from amina.monitoring import state as monitoring_state
from amina.monitoring.schemas import LocationIn
from amina.notifications.catalog import json_params
from amina.notifications.service import notify
from amina.people.models import Person
from amina.people.service import facts_of
from amina.policies import eligibility_policy
from amina.registration import repo
from amina.registration.models import Registration, Residence
from amina.registration.schemas import ConsentIn, ResidenceIn
from amina.rules import residence as rules
from amina.rules.calendar import moscow_date
from amina.rules.eligibility import Status, evaluate
from amina.rules.lifecycle import (
    REGISTRATION,
    CaseKind,
    Ground,
    RegistrationEvent,
    RegistrationStatus,
)
from amina.rules.territory import Territory


def register(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    territory: Territory,
    person: Person,
    device_id: uuid.UUID,
    consent: ConsentIn,
    location: LocationIn,
) -> Registration:
    eligibility = evaluate(facts_of(person), moscow_date(now), eligibility_policy(settings))
    if not eligibility.may_register:
        raise Forbidden(
            f"registration is not required for you ({eligibility.reason.value})",
            code="not_required",
            details={"reason": eligibility.reason.value},
        )
    if not (consent.personal_data and consent.geolocation):
        raise InvalidInput(
            "consent to the processing of personal data and of geolocation is required",
            code="consent_required",
        )
    # One registration per person: concurrent requests queue on the person's row, and the
    # partial unique index is the last word if anything slips past.
    repo.lock_person(session, person.id)
    if repo.active_registration(session, person.id) is not None:
        raise Conflict("you are already registered", code="already_registered")
    if location.is_heartbeat:
        raise InvalidInput("the first location must have coordinates", code="invalid_location")
    taken = intake.ingest(
        session,
        now=now,
        settings=settings,
        territory=territory,
        person_id=person.id,
        device_id=device_id,
        items=[location.model_dump(mode="json")],
    )
    if taken.rejected:
        raise InvalidInput(
            f"the location was refused: {taken.rejected[0].message}", code="invalid_location"
        )
    registration = Registration(
        person_id=person.id,
        status=RegistrationStatus.ACTIVE,
        address=settings.mmc_address,
        registered_at=now,
        test_mode=eligibility.status is Status.TEST_MODE,
        consent_version=consent.version,
        consent_at=now,
    )
    if not repo.insert_unique(session, registration):
        raise Conflict("you are already registered", code="already_registered")
    monitoring_state.attach_registration(
        session, now=now, settings=settings, person_id=person.id, registration_id=registration.id
    )
    record(
        session,
        now=now,
        actor=Actor.person(person.id),
        action="registration.created",
        subject_type="registration",
        subject_id=registration.id,
        person_id=person.id,
        data={"test_mode": registration.test_mode, "consent_version": consent.version},
    )
    notify(
        session,
        now=now,
        person_id=person.id,
        kind="registered",
        window=str(registration.id),
        params={"address": registration.address},
    )
    return registration


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


def deregister(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    registration: Registration,
    ground: Ground,
    actor: Actor,
    detail: str | None = None,
    missed_since: datetime | None = None,
    params: dict[str, object] | None = None,
) -> Registration:
    """End a registration on a ground of rules.md §5, tell the person, and audit it.

    A no_geolocation deregistration also opens a violation case (rules.md §6).
    """
    registration.status = REGISTRATION.apply(registration.status, RegistrationEvent.DEREGISTER)
    registration.deregistered_at, registration.ground = now, ground
    registration.ground_detail, registration.missed_since = detail, missed_since
    monitoring_state.attach_registration(
        session, now=now, settings=settings, person_id=registration.person_id, registration_id=None
    )
    record(
        session,
        now=now,
        actor=actor,
        action="registration.deregistered",
        subject_type="registration",
        subject_id=registration.id,
        person_id=registration.person_id,
        reason=detail,
        data={"ground": ground.value},
    )
    if ground is Ground.NO_GEOLOCATION:
        cases.open_case(
            session,
            now=now,
            registration=registration,
            kind=CaseKind.VIOLATION,
            window_start=missed_since,
            window_end=now,
        )
    notify(
        session,
        now=now,
        person_id=registration.person_id,
        kind=f"deregistered_{ground.value}",
        window=str(registration.id),
        params=json_params(**(params or {})),
    )
    return registration
