"""Finding people by exact identifiers: the console's only way into personal data by value.

Every lookup is an exact match on a normalised value (never LIKE), so that it can be served by
an index or by keyed hashes. This is the one module to re-point when identifiers are stored
encrypted with keyed-hash lookups (amina.people.lookup).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.people import ids
from amina.people.models import CARD_COUNTRY, Document, DocumentKind, Person
from amina.people.service import normalise_country, normalise_phone

LIMIT = 50


def by_card(session: Session, number: str) -> list[uuid.UUID]:
    normalised = ids.normalise_card_number(number)
    return list(
        session.scalars(
            select(Document.person_id).where(
                Document.kind == DocumentKind.CARD,
                Document.country == CARD_COUNTRY,
                Document.number == normalised,
            )
        )
    )


def by_passport(session: Session, citizenship: str, number: str) -> list[uuid.UUID]:
    country, normalised = normalise_country(citizenship), ids.normalise_passport_number(number)
    return list(
        session.scalars(
            select(Document.person_id).where(
                Document.kind == DocumentKind.PASSPORT,
                Document.country == country,
                Document.number == normalised,
            )
        )
    )


def by_phone(session: Session, phone: str) -> list[uuid.UUID]:
    return list(
        session.scalars(
            select(Person.id).where(Person.phone == normalise_phone(phone)).limit(LIMIT)
        )
    )


def by_surname_and_birth_date(session: Session, surname: str, birth_date: date) -> list[uuid.UUID]:
    """Exact surname (case-insensitive) and birth date: the birth date selects by index, the
    surname is compared after casefolding, so no pattern match ever runs on names."""
    wanted = surname.strip().casefold()
    rows = session.execute(
        select(Person.id, Person.surname).where(Person.birth_date == birth_date).limit(5000)
    ).all()
    return [row.id for row in rows if row.surname.strip().casefold() == wanted][:LIMIT]
