"""Queries on cases and registry entries (no commits)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.cases.models import Case, RegistryEntry
from amina.rules.lifecycle import CaseStatus, RegistryStatus


def listed_entry(session: Session, person_id: uuid.UUID) -> RegistryEntry | None:
    return session.scalar(
        select(RegistryEntry).where(
            RegistryEntry.person_id == person_id, RegistryEntry.status == RegistryStatus.LISTED
        )
    )


def cases_of(session: Session, person_id: uuid.UUID) -> list[Case]:
    return list(
        session.scalars(select(Case).where(Case.person_id == person_id).order_by(Case.opened_at))
    )


def other_open_cases(session: Session, case: Case) -> list[Case]:
    """The registration's other open cases (a reinstatement supersedes them)."""
    return list(
        session.scalars(
            select(Case).where(
                Case.registration_id == case.registration_id,
                Case.id != case.id,
                Case.status == CaseStatus.OPEN,
            )
        )
    )
