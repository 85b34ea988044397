"""Registering at the MMC address (rules.md §3): the use case at the top that joins features.

The first location goes through monitoring's intake, the registration is created (registration),
and monitoring starts watching it, all in the caller's one transaction. Registration sits below
monitoring (docs/architecture.md, "Features import one way"), so this module, not
`registration.service`, is where the two meet.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.config import Settings
from amina.errors import Conflict, Forbidden, InvalidInput
from amina.monitoring import intake
from amina.monitoring import state as monitoring_state
from amina.notifications.service import notify
from amina.people.models import Person
from amina.people.service import facts_of
from amina.policies import eligibility_policy
from amina.registration import repo
from amina.registration.models import Registration
from amina.registration.schemas import ConsentIn
from amina.rules.calendar import moscow_date
from amina.rules.eligibility import Status, evaluate
from amina.rules.lifecycle import RegistrationStatus
from amina.rules.territory import Territory
from amina.schemas import LocationIn


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
