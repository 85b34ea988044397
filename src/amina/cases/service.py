"""Violation cases and reinstatement reviews (rules.md §6)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases.models import Case
from amina.config import Settings
from amina.db import insert_ignoring_conflict
from amina.districts.scope import scope_of
from amina.errors import Conflict, InvalidInput, NotFound
from amina.monitoring import state as monitoring_state
from amina.monitoring.models import MonitoringSource
from amina.notifications.service import notify
from amina.officers.models import Officer
from amina.officers.service import require
from amina.registration import repo
from amina.registration.models import Registration
from amina.rules.lifecycle import (
    CASE,
    REGISTRATION,
    CaseEvent,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    Ground,
    IllegalTransition,
    RegistrationEvent,
    RegistrationStatus,
    check_case_outcome,
    check_reinstatable,
)

SYSTEM = Actor.system("monitoring")


def open_case(
    session: Session,
    *,
    now: datetime,
    registration: Registration,
    kind: CaseKind,
    window_start: datetime | None,
    window_end: datetime | None,
    evidence: dict[str, object] | None = None,
) -> uuid.UUID | None:
    """Open a case of `kind` for a registration; None if one already exists (one per kind)."""
    case_id = uuid.uuid4()
    opened = insert_ignoring_conflict(
        session,
        Case,
        {
            "id": case_id,
            "person_id": registration.person_id,
            "registration_id": registration.id,
            "kind": kind,
            "status": CaseStatus.OPEN,
            "opened_at": now,
            "window_start": window_start,
            "window_end": window_end,
            "evidence": evidence or {},
        },
        ["registration_id", "kind"],
    )
    if not opened:
        return None
    record(
        session,
        now=now,
        actor=SYSTEM,
        action="case.opened",
        subject_type="case",
        subject_id=case_id,
        person_id=registration.person_id,
        data={"kind": kind.value, "registration_id": str(registration.id)},
    )
    return case_id


def consider_late_evidence(
    session: Session, *, now: datetime, person_id: uuid.UUID, recorded_at: Sequence[datetime]
) -> uuid.UUID | None:
    """Reports recorded inside the window that led to a no_geolocation deregistration, arriving
    after it, open a reinstatement review for an officer (once per deregistration)."""
    if not recorded_at:
        return None
    earliest = min(recorded_at)
    registration = session.scalar(
        select(Registration)
        .where(
            Registration.person_id == person_id,
            Registration.ground == Ground.NO_GEOLOCATION,
            Registration.deregistered_at.is_not(None),
            Registration.deregistered_at >= earliest,
        )
        .order_by(Registration.deregistered_at.desc())
        .limit(1)
    )
    if registration is None or registration.missed_since is None:
        return None
    inside = [
        at
        for at in recorded_at
        if registration.missed_since < at <= (registration.deregistered_at or at)
    ]
    if not inside:
        return None
    case_id = open_case(
        session,
        now=now,
        registration=registration,
        kind=CaseKind.REINSTATEMENT_REVIEW,
        window_start=registration.missed_since,
        window_end=registration.deregistered_at,
        evidence={
            "reports": len(inside),
            "earliest": min(inside).isoformat(),
            "latest": max(inside).isoformat(),
        },
    )
    if case_id is not None:
        notify(
            session,
            now=now,
            person_id=person_id,
            kind="reinstatement_review_opened",
            window=str(registration.id),
        )
    return case_id


def _open_case(session: Session, case_id: uuid.UUID) -> Case:
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound("no such case", code="case_not_found")
    if case.status is not CaseStatus.OPEN:
        raise Conflict("this case is already closed", code="case_closed")
    return case


def _close(
    case: Case,
    *,
    now: datetime,
    officer_id: uuid.UUID | None,
    outcome: CaseOutcome,
    reason: str | None,
) -> None:
    check_case_outcome(case.kind, outcome)
    case.status = CASE.apply(case.status, CaseEvent.CLOSE)
    case.closed_at, case.closed_by, case.outcome, case.decision_reason = (
        now,
        officer_id,
        outcome,
        reason,
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
    case = _open_case(session, case_id)
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
        for other in session.scalars(
            select(Case).where(
                Case.registration_id == registration.id,
                Case.id != case.id,
                Case.status == CaseStatus.OPEN,
            )
        ):
            _close(
                other, now=now, officer_id=officer.id, outcome=CaseOutcome.SUPERSEDED, reason=reason
            )
    _close(case, now=now, officer_id=officer.id, outcome=outcome, reason=reason)
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
    if repo.active_registration(session, registration.person_id) is not None:
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


def open_cases(
    session: Session,
    *,
    kind: CaseKind | None = None,
    limit: int = 200,
    officer: Officer | None = None,
) -> list[Case]:
    """Open cases, oldest first; for an officer, within their district scope (police)."""
    query = (
        select(Case)
        .where(Case.status == CaseStatus.OPEN, scope_of(session, officer).where(Case.person_id))
        .order_by(Case.opened_at)
    )
    if kind is not None:
        query = query.where(Case.kind == kind)
    return list(session.scalars(query.limit(limit)))
