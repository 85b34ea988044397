"""Violation cases and reinstatement reviews (rules.md §6).

An officer's decision, which may reinstate a registration and restart its monitoring, is
`amina.decisions.decide`: it joins this feature with monitoring, which sits above it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases.models import Case
from amina.db import insert_ignoring_conflict
from amina.districts.scope import scope_of
from amina.errors import Conflict, NotFound
from amina.notifications.service import notify
from amina.officers.models import Officer
from amina.registration.models import Registration
from amina.rules.lifecycle import (
    CASE,
    CaseEvent,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    Ground,
    check_case_outcome,
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


def locked_open_case(session: Session, case_id: uuid.UUID) -> Case:
    """The case, locked for this transaction, if it is still open."""
    case = session.get(Case, case_id, with_for_update=True)
    if case is None:
        raise NotFound("no such case", code="case_not_found")
    if case.status is not CaseStatus.OPEN:
        raise Conflict("this case is already closed", code="case_closed")
    return case


def close_case(
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
