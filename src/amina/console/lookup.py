"""Finding people by exact identifiers: the console's only way into personal data by value.

Every lookup is an exact match on a normalised value, served by the keyed hashes of
`amina.people.lookup` (names, phones, birth dates and document numbers are encrypted at rest),
never a pattern match. Invalid input is refused first, with the same codes as elsewhere.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.orm import Session

from amina.people import ids, lookup
from amina.people.service import normalise_country, normalise_phone

LIMIT = 50


def by_card(session: Session, number: str) -> list[uuid.UUID]:
    return lookup.persons_by_card(session, ids.normalise_card_number(number))[:LIMIT]


def by_passport(session: Session, citizenship: str, number: str) -> list[uuid.UUID]:
    country, normalised = normalise_country(citizenship), ids.normalise_passport_number(number)
    return lookup.persons_by_passport(session, country, normalised)[:LIMIT]


def by_phone(session: Session, phone: str) -> list[uuid.UUID]:
    return lookup.persons_by_phone(session, normalise_phone(phone))[:LIMIT]


def by_surname_and_birth_date(session: Session, surname: str, birth_date: date) -> list[uuid.UUID]:
    return lookup.persons_by_surname_birth_date(session, surname.strip(), birth_date)[:LIMIT]
