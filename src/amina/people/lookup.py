"""Finding people by what they tell us: a keyed hash (HMAC) of the normalised value, never the
value itself, since names, phones, birth dates and document numbers are encrypted at rest.

Each lookup asks for every hash the value may be stored under (the current key and, while a
rotation runs, older key versions and retired secrets), so it keeps working mid-rotation.
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina import vault
from amina.people import ids
from amina.people.models import CARD_COUNTRY, Document, DocumentKind, Person


def _documents(session: Session, kind: DocumentKind, country: str, number: str) -> list[Document]:
    hashes = vault.current().lookups(
        "document", ids.document_lookup_text(kind.value, country, number)
    )
    return list(
        session.scalars(
            select(Document)
            .where(Document.number_hash.in_(hashes))
            .order_by(Document.created_at, Document.id)
        )
    )


def card_document(session: Session, card_number: str) -> Document | None:
    found = _documents(session, DocumentKind.CARD, CARD_COUNTRY, card_number)
    return found[0] if found else None


def passport_document(session: Session, citizenship: str, number: str) -> Document | None:
    found = _documents(session, DocumentKind.PASSPORT, citizenship.strip().upper(), number)
    return found[0] if found else None


def _distinct(person_ids: list[uuid.UUID]) -> list[uuid.UUID]:
    return list(dict.fromkeys(person_ids))


def persons_by_card(session: Session, card_number: str) -> list[uuid.UUID]:
    """The person holding this card number (any status: lost and replaced cards included)."""
    documents = _documents(session, DocumentKind.CARD, CARD_COUNTRY, card_number)
    return _distinct([d.person_id for d in documents])


def persons_by_passport(session: Session, citizenship: str, number: str) -> list[uuid.UUID]:
    documents = _documents(session, DocumentKind.PASSPORT, citizenship.strip().upper(), number)
    return _distinct([d.person_id for d in documents])


def persons_by_phone(session: Session, phone: str) -> list[uuid.UUID]:
    hashes = vault.current().lookups("phone", ids.lookup_phone(phone))
    query = select(Person.id).where(Person.phone_hash.in_(hashes)).order_by(Person.created_at)
    return _distinct(list(session.scalars(query)))


def persons_by_surname_birth_date(
    session: Session, surname: str, birth_date: date
) -> list[uuid.UUID]:
    text = ids.surname_birth_lookup_text(surname, birth_date)
    hashes = vault.current().lookups("surname-birth-date", text)
    query = (
        select(Person.id).where(Person.surname_birth_hash.in_(hashes)).order_by(Person.created_at)
    )
    return _distinct(list(session.scalars(query)))
