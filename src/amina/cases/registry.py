"""The registry of controlled persons (РКЛ, rules.md §6).

Entry needs an officer's proposal with a written basis and approval by a second, different
officer; removal needs a reason. The person is told when they are listed and when removed.
A violation alone never lists anyone: a person is only ever listed by two officers.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases.models import Case, RegistryEntry
from amina.districts.scope import ensure_visible, scope_of
from amina.errors import Conflict, Forbidden, InvalidInput, NotFound
from amina.notifications.service import notify
from amina.officers.models import Officer
from amina.officers.service import require
from amina.people.models import Person
from amina.rules.lifecycle import (
    REGISTRY,
    IllegalTransition,
    RegistryEvent,
    RegistryStatus,
    SameOfficer,
    check_four_eyes,
)

MIN_TEXT = 10


def _written(text: str, what: str) -> str:
    text = text.strip()
    if len(text) < MIN_TEXT:
        raise InvalidInput(
            f"the {what} must be written out (at least {MIN_TEXT} characters)",
            code=f"{what}_required",
        )
    return text


def _entry(session: Session, entry_id: uuid.UUID) -> RegistryEntry:
    entry = session.get(RegistryEntry, entry_id, with_for_update=True)
    if entry is None:
        raise NotFound("no such registry entry", code="entry_not_found")
    return entry


def _move(entry: RegistryEntry, event: RegistryEvent) -> None:
    try:
        entry.status = REGISTRY.apply(entry.status, event)
    except IllegalTransition as error:
        raise Conflict(str(error), code="illegal_transition") from None


def propose(
    session: Session,
    *,
    now: datetime,
    officer: Officer,
    person_id: uuid.UUID,
    basis: str,
    case_id: uuid.UUID | None = None,
) -> RegistryEntry:
    require(officer, "registry.propose")
    basis = _written(basis, "basis")
    if session.get(Person, person_id) is None:
        raise NotFound("no such person", code="person_not_found")
    ensure_visible(session, now=now, officer=officer, person_id=person_id)
    if case_id is not None:
        case = session.get(Case, case_id)
        if case is None or case.person_id != person_id:
            raise InvalidInput("the case is not this person's", code="invalid_case")
    already = session.scalar(
        select(RegistryEntry).where(
            RegistryEntry.person_id == person_id,
            RegistryEntry.status.in_([RegistryStatus.PROPOSED, RegistryStatus.LISTED]),
        )
    )
    if already is not None:
        raise Conflict("this person is already proposed or listed", code="already_proposed")
    entry = RegistryEntry(
        person_id=person_id,
        case_id=case_id,
        status=RegistryStatus.PROPOSED,
        basis=basis,
        proposed_by=officer.id,
        proposed_at=now,
    )
    try:
        with session.begin_nested():  # the partial unique index settles a concurrent proposal
            session.add(entry)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "this person is already proposed or listed", code="already_proposed"
        ) from None
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="registry.proposed",
        subject_type="registry_entry",
        subject_id=entry.id,
        person_id=person_id,
        reason=basis,
    )
    return entry


def decide(
    session: Session,
    *,
    now: datetime,
    officer: Officer,
    entry_id: uuid.UUID,
    approve: bool,
    reason: str | None = None,
) -> RegistryEntry:
    """Approve (list) or reject a proposal: never by the officer who proposed it."""
    require(officer, "registry.decide")
    entry = _entry(session, entry_id)
    try:
        check_four_eyes(str(entry.proposed_by), str(officer.id))
    except SameOfficer as error:
        raise Forbidden(str(error), code="same_officer") from None
    if not approve:
        reason = _written(reason or "", "reason")
    _move(entry, RegistryEvent.APPROVE if approve else RegistryEvent.REJECT)
    entry.decided_by, entry.decided_at, entry.decision_reason = officer.id, now, reason
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="registry.listed" if approve else "registry.rejected",
        subject_type="registry_entry",
        subject_id=entry.id,
        person_id=entry.person_id,
        reason=reason,
    )
    if approve:
        notify(
            session,
            now=now,
            person_id=entry.person_id,
            kind="registry_listed",
            window=str(entry.id),
            params={"basis": entry.basis},
        )
    return entry


def remove(
    session: Session, *, now: datetime, officer: Officer, entry_id: uuid.UUID, reason: str
) -> RegistryEntry:
    require(officer, "registry.remove")
    reason = _written(reason, "reason")
    entry = _entry(session, entry_id)
    _move(entry, RegistryEvent.REMOVE)
    entry.removed_by, entry.removed_at, entry.removal_reason = officer.id, now, reason
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="registry.removed",
        subject_type="registry_entry",
        subject_id=entry.id,
        person_id=entry.person_id,
        reason=reason,
    )
    notify(
        session,
        now=now,
        person_id=entry.person_id,
        kind="registry_removed",
        window=str(entry.id),
        params={"reason": reason},
    )
    return entry


def entries(
    session: Session, *, status: RegistryStatus | None = None, officer: Officer | None = None
) -> list[RegistryEntry]:
    """Newest first; for an officer, within their district scope (police)."""
    query = (
        select(RegistryEntry)
        .where(scope_of(session, officer).where(RegistryEntry.person_id))
        .order_by(RegistryEntry.proposed_at.desc())
    )
    if status is not None:
        query = query.where(RegistryEntry.status == status)
    return list(session.scalars(query.limit(500)))
