"""The `patent_lapsed` review (rules.md §7): opened when a patent lapses, for an officer to look
at. It never enters anyone in the registry and never touches the registration (§5)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases.models import Case
from amina.db import insert_ignoring_conflict
from amina.rules.lifecycle import CaseKind, CaseOutcome, CaseStatus

SYSTEM = Actor.system("patents")


def open_lapse_review(
    session: Session,
    *,
    now: datetime,
    person_id: uuid.UUID,
    patent_id: uuid.UUID,
    lapsed_at: datetime,
    evidence: dict[str, object],
) -> uuid.UUID | None:
    """Open the review once per patent; None if it exists already."""
    case_id = uuid.uuid4()
    opened = insert_ignoring_conflict(
        session,
        Case,
        {
            "id": case_id,
            "person_id": person_id,
            "registration_id": None,
            "patent_id": patent_id,
            "kind": CaseKind.PATENT_LAPSED,
            "status": CaseStatus.OPEN,
            "opened_at": now,
            "window_start": lapsed_at,
            "window_end": None,
            "evidence": evidence,
        },
        ["patent_id", "kind"],
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
        person_id=person_id,
        data={"kind": CaseKind.PATENT_LAPSED.value, "patent_id": str(patent_id)},
    )
    return case_id


def supersede_lapse_review(session: Session, *, now: datetime, patent_id: uuid.UUID) -> bool:
    """A payment dated on or before the last valid day arrived after the lapse was noted: the
    open review is moot (closed `superseded`, exactly once)."""
    closed = session.execute(
        update(Case)
        .where(
            Case.patent_id == patent_id,
            Case.kind == CaseKind.PATENT_LAPSED,
            Case.status == CaseStatus.OPEN,
        )
        .values(
            status=CaseStatus.CLOSED,
            closed_at=now,
            outcome=CaseOutcome.SUPERSEDED,
            decision_reason="a payment made before the lapse arrived",
        )
        .returning(Case.id)
    ).first()
    if closed is None:
        return False
    record(
        session,
        now=now,
        actor=SYSTEM,
        action="case.closed",
        subject_type="case",
        subject_id=closed[0],
        data={"kind": CaseKind.PATENT_LAPSED.value, "outcome": CaseOutcome.SUPERSEDED.value},
    )
    return True
