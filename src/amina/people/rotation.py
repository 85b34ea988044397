"""Re-encrypting personal data under the current key (`amina keys rotate`).

Each batch loads persons, documents or residences (their place) by id, marks their encrypted
attributes changed, and lets the flush write them again: the column types encrypt under the
current key, and the `before_update` hooks recompute the lookup hashes under the current lookup
key. Only rows with a value under an older key are rewritten.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import flag_modified

from amina import vault
from amina.people.models import Document, Person
from amina.registration.models import Residence

PERSON_FIELDS = (
    ("surname", "name"),
    ("given_names", "name"),
    ("birth_date", "birth-date"),
    ("phone", "phone"),
)


@dataclass(frozen=True)
class Batch:
    rewritten: int
    last_id: uuid.UUID | None


def _stale_persons(session: Session, after: uuid.UUID | None, limit: int) -> Batch:
    keyring = vault.current()
    columns = [type_coerce(getattr(Person, name), Text) for name, _ in PERSON_FIELDS]
    query = select(Person.id, *columns).order_by(Person.id).limit(limit)
    if after is not None:
        query = query.where(Person.id > after)
    rows = session.execute(query).all()
    stale = [
        row[0]
        for row in rows
        if not all(
            keyring.is_current(purpose, token)
            for (_, purpose), token in zip(PERSON_FIELDS, row[1:], strict=True)
        )
    ]
    for person in session.scalars(select(Person).where(Person.id.in_(stale))):
        for name, _ in PERSON_FIELDS:
            flag_modified(person, name)
    session.flush()
    return Batch(len(stale), rows[-1][0] if rows else None)


def _stale_documents(session: Session, after: uuid.UUID | None, limit: int) -> Batch:
    keyring = vault.current()
    query = (
        select(Document.id, type_coerce(Document.number, Text)).order_by(Document.id).limit(limit)
    )
    if after is not None:
        query = query.where(Document.id > after)
    rows = session.execute(query).all()
    stale = [row[0] for row in rows if not keyring.is_current("document-number", row[1])]
    for document in session.scalars(select(Document).where(Document.id.in_(stale))):
        flag_modified(document, "number")
    session.flush()
    return Batch(len(stale), rows[-1][0] if rows else None)


def rotate_persons(session: Session, *, after: uuid.UUID | None, limit: int) -> Batch:
    return _stale_persons(session, after, limit)


def rotate_documents(session: Session, *, after: uuid.UUID | None, limit: int) -> Batch:
    return _stale_documents(session, after, limit)


def rotate_residences(session: Session, *, after: uuid.UUID | None, limit: int) -> Batch:
    """Residences' places (issue 11: the police district of a residence)."""
    keyring = vault.current()
    query = (
        select(Residence.id, type_coerce(Residence.place, Text))
        .where(Residence.place.is_not(None))
        .order_by(Residence.id)
        .limit(limit)
    )
    if after is not None:
        query = query.where(Residence.id > after)
    rows = session.execute(query).all()
    stale = [row[0] for row in rows if not keyring.is_current("residence-place", row[1])]
    for residence in session.scalars(select(Residence).where(Residence.id.in_(stale))):
        flag_modified(residence, "place")
    session.flush()
    return Batch(len(stale), rows[-1][0] if rows else None)
