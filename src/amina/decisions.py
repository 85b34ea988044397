"""An officer decides a case (rules.md §6): the use case at the top that joins features.

Closing the case is the cases feature's; reinstating (a review upheld) also makes the
registration active again (registration) and restarts its count (monitoring). Monitoring sits
above cases (docs/architecture.md, "Features import one way"), so the decision, which reaches
back into monitoring, is orchestrated here, in the caller's one transaction.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases import repo as cases_repo
from amina.cases import service as cases
from amina.cases.models import Case
from amina.config import Settings
from amina.errors import Conflict, InvalidInput
from amina.monitoring import state as monitoring_state
from amina.monitoring.models import MonitoringSource
from amina.notifications.service import notify
from amina.officers.models import Officer
from amina.officers.service import require
from amina.registration import repo as registration_repo
from amina.registration.models import Registration
from amina.rules.lifecycle import (
    REGISTRATION,
    CaseOutcome,
    IllegalTransition,
    RegistrationEvent,
    RegistrationStatus,
    check_case_outcome,
    check_reinstatable,
)


def decide(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    officer: Officer,
    case_id: uuid.UUID,
    outcome: CaseOutcome,
    reason: str,
) -> Case:
    """An officer closes a case. Reinstating (a review upheld) annuls the no_geolocation
    deregistration: the registration is active again and its count restarts from the decision,
    so nobody is deregistered again at once for the very gap that was just forgiven."""
    require(officer, "case.decide")
    reason = reason.strip()
    if len(reason) < 10:
        raise InvalidInput(
            "write the reason for the decision (at least 10 characters)", code="reason_required"
        )
    case = cases.locked_open_case(session, case_id)
    try:
        check_case_outcome(case.kind, outcome)
    except ValueError as error:
        raise InvalidInput(str(error), code="invalid_outcome") from None
    actor = Actor.officer(officer.id)
    if outcome is CaseOutcome.REINSTATED:
        registration = session.get_one(Registration, case.registration_id)
        _reinstate(
            session,
            now=now,
            settings=settings,
            registration=registration,
            actor=actor,
            reason=reason,
        )
        for other in cases_repo.other_open_cases(session, case):
            cases.close_case(
                other, now=now, officer_id=officer.id, outcome=CaseOutcome.SUPERSEDED, reason=reason
            )
    cases.close_case(case, now=now, officer_id=officer.id, outcome=outcome, reason=reason)
    record(
        session,
        now=now,
        actor=actor,
        action="case.closed",
        subject_type="case",
        subject_id=case.id,
        person_id=case.person_id,
        reason=reason,
        data={"kind": case.kind.value, "outcome": outcome.value},
    )
    if outcome is CaseOutcome.REJECTED:
        notify(
            session,
            now=now,
            person_id=case.person_id,
            kind="reinstatement_rejected",
            window=str(case.id),
            params={"reason": reason},
        )
    return case


def _reinstate(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    registration: Registration,
    actor: Actor,
    reason: str,
) -> None:
    if registration.status is not RegistrationStatus.DEREGISTERED:
        raise Conflict("the registration is not deregistered", code="not_deregistered")
    try:
        check_reinstatable(registration.ground)
    except IllegalTransition:
        raise Conflict(
            "only an absence of reports can be reinstated", code="not_reinstatable"
        ) from None
    if registration_repo.active_registration(session, registration.person_id) is not None:
        raise Conflict("the person has registered again since", code="registered_again")
    registration.status = REGISTRATION.apply(registration.status, RegistrationEvent.REINSTATE)
    registration.reinstated_at = now
    registration.deregistered_at = registration.ground = registration.ground_detail = None
    session.flush()
    monitoring_state.advance(
        session,
        now=now,
        settings=settings,
        person_id=registration.person_id,
        recorded_at=now,
        source=MonitoringSource.REINSTATEMENT,
    )
    monitoring_state.attach_registration(
        session,
        now=now,
        settings=settings,
        person_id=registration.person_id,
        registration_id=registration.id,
    )
    record(
        session,
        now=now,
        actor=actor,
        action="registration.reinstated",
        subject_type="registration",
        subject_id=registration.id,
        person_id=registration.person_id,
        reason=reason,
    )
    notify(
        session,
        now=now,
        person_id=registration.person_id,
        kind="reinstated",
        window=str(registration.id),
    )
