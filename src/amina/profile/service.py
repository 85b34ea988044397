"""Building the person's own record from every feature's tables."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from amina.cases import repo as cases_repo
from amina.config import Settings
from amina.monitoring import state as monitoring_state
from amina.people.models import Person
from amina.people.service import facts_of
from amina.policies import eligibility_policy
from amina.profile.schemas import (
    EligibilityOut,
    MeDocument,
    PersonOut,
    RegistrationOut,
    RegistryOut,
    ResidenceOut,
)
from amina.registration import repo as registration_repo
from amina.rules.calendar import moscow_date
from amina.rules.eligibility import Eligibility, Status, evaluate
from amina.rules.lifecycle import RegistrationStatus


def eligibility_of(person: Person, now: datetime, settings: Settings) -> Eligibility:
    return evaluate(facts_of(person), moscow_date(now), eligibility_policy(settings))


def me_document(
    session: Session, person: Person, *, now: datetime, settings: Settings
) -> MeDocument:
    eligibility = eligibility_of(person, now, settings)
    registration = registration_repo.latest_registration(session, person.id)
    residence = registration_repo.current_residence(session, person.id)
    listed = cases_repo.listed_entry(session, person.id)
    active = registration is not None and registration.status is RegistrationStatus.ACTIVE
    return MeDocument(
        person=PersonOut.model_validate(person),
        eligibility=EligibilityOut.model_validate(eligibility),
        test_mode=eligibility.status is Status.TEST_MODE,
        registration=RegistrationOut.model_validate(registration) if registration else None,
        residence=ResidenceOut.model_validate(residence) if residence else None,
        monitoring=monitoring_state.view(session, settings, person.id, active=active),
        registry=RegistryOut(
            listed=listed is not None, since=listed.decided_at if listed else None
        ),
        language=person.language,
    )
