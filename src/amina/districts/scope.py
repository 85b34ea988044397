"""The police district scope (issue 11), one filter for every console and officer-API read.

A police officer with a district sees only people whose residence district or last known
district is theirs, when districts are loaded; with districts loaded and none assigned, nobody.
Every other role, and everyone while no districts are loaded, sees everyone. Opening a person
outside the scope answers 404 like a person who does not exist (never confirming that they
do), and the attempt is audited.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from amina.audit.service import Actor, record
from amina.districts.models import PersonDistrict
from amina.districts.repo import any_loaded
from amina.errors import NotFound
from amina.officers.models import Officer, Role
from amina.rules.districts import ScopeKind, in_scope, officer_scope


@dataclass(frozen=True)
class Scope:
    kind: ScopeKind
    district: str | None = None

    def where(
        self, person_id: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID]
    ) -> ColumnElement[bool]:
        """A SQL condition on a person-id column: true for the people in scope."""
        if self.kind is ScopeKind.EVERYONE:
            return true()
        if self.kind is ScopeKind.NOBODY:
            return false()
        return person_id.in_(
            select(PersonDistrict.person_id).where(
                or_(
                    PersonDistrict.residence_district == self.district,
                    PersonDistrict.last_known_district == self.district,
                )
            )
        )


EVERYONE = Scope(ScopeKind.EVERYONE)


def scope_of(session: Session, officer: Officer | None) -> Scope:
    if officer is None or officer.role is not Role.POLICE_OFFICER:
        return EVERYONE  # no query: only the police are scoped
    kind = officer_scope(
        is_police=True, districts_loaded=any_loaded(session), officer_district=officer.district
    )
    return Scope(kind, officer.district if kind is ScopeKind.DISTRICT else None)


def visible_ids(session: Session, officer: Officer, person_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    """`person_ids` without the people outside the officer's scope, order kept."""
    scope = scope_of(session, officer)
    if scope.kind is ScopeKind.EVERYONE:
        return person_ids
    if scope.kind is ScopeKind.NOBODY or not person_ids:
        return []
    placed = {
        row.person_id: (row.residence_district, row.last_known_district)
        for row in session.execute(
            select(
                PersonDistrict.person_id,
                PersonDistrict.residence_district,
                PersonDistrict.last_known_district,
            ).where(PersonDistrict.person_id.in_(person_ids))
        )
    }
    return [pid for pid in person_ids if in_scope(scope.kind, scope.district, placed.get(pid, ()))]


def ensure_visible(
    session: Session, *, now: datetime, officer: Officer, person_id: uuid.UUID
) -> None:
    """404 (audited, kept) unless the person is in the officer's scope."""
    if visible_ids(session, officer, [person_id]):
        return
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="person.out_of_scope",
        subject_type="person",
        subject_id=person_id,
        data={"role": officer.role.value, "district": officer.district},
    )
    raise NotFound("no such person", code="person_not_found", keep_changes=True)
