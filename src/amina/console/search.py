"""Search: exact identifiers in, masked identifiers out. The search is audited (its kind and
how many matched, never the value searched for)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.console import lookup
from amina.districts.scope import visible_ids
from amina.errors import InvalidInput
from amina.officers.models import Officer
from amina.people.models import Document, DocumentKind, Person
from amina.registration.models import Registration


class SearchKind(StrEnum):
    CARD = "card"
    PASSPORT = "passport"
    PHONE = "phone"
    NAME = "name"  # surname + birth date


@dataclass(frozen=True)
class Query:
    kind: SearchKind
    value: str = ""
    citizenship: str = ""
    birth_date: date | None = None


@dataclass(frozen=True)
class Hit:
    person_id: uuid.UUID
    surname: str
    given_initial: str
    birth_year: int
    citizenship: str
    card: str | None
    registration: str | None


def mask(value: str, keep_start: int = 0, keep_end: int = 2) -> str:
    if len(value) <= keep_start + keep_end:
        return "•" * len(value)
    tail = value[len(value) - keep_end :]
    return value[:keep_start] + "•" * (len(value) - keep_start - keep_end) + tail


def _ids(session: Session, query: Query) -> list[uuid.UUID]:
    if query.kind is SearchKind.CARD:
        return lookup.by_card(session, query.value)
    if query.kind is SearchKind.PASSPORT:
        return lookup.by_passport(session, query.citizenship, query.value)
    if query.kind is SearchKind.PHONE:
        return lookup.by_phone(session, query.value)
    if query.birth_date is None or not query.value.strip():
        raise InvalidInput("give a surname and a birth date", code="name_and_birth_date")
    return lookup.by_surname_and_birth_date(session, query.value, query.birth_date)


def search(session: Session, *, now: datetime, officer: Officer, query: Query) -> list[Hit]:
    if not query.value.strip():
        raise InvalidInput("type what to search for", code="query_required")
    person_ids = list(dict.fromkeys(_ids(session, query)))[: lookup.LIMIT]
    person_ids = visible_ids(session, officer, person_ids)  # police districts
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="person.searched",
        subject_type="search",
        data={"kind": query.kind.value, "matches": len(person_ids)},
    )
    if not person_ids:
        return []
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_(person_ids)))}
    cards = {
        d.person_id: d.number
        for d in session.scalars(
            select(Document).where(
                Document.person_id.in_(person_ids), Document.kind == DocumentKind.CARD
            )
        )
    }
    statuses: dict[uuid.UUID, str] = {}
    for reg in session.scalars(
        select(Registration)
        .where(Registration.person_id.in_(person_ids))
        .order_by(Registration.registered_at)
    ):
        statuses[reg.person_id] = reg.status.value
    return [
        Hit(
            person_id=pid,
            surname=mask(people[pid].surname, 1, 0),
            given_initial=people[pid].given_names[:1] + ".",
            birth_year=people[pid].birth_date.year,
            citizenship=people[pid].citizenship,
            card=mask(cards[pid], 0, 4) if pid in cards else None,
            registration=statuses.get(pid),
        )
        for pid in person_ids
        if pid in people
    ]
