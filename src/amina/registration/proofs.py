"""Proofs of registration: issue the short token, revoke it, and check any token (issue 10).

Checking answers one of: valid, revoked, deregistered (the registration ended), expired (an old
long token past its time), or not a proof at all. It reveals the name as on the card, the masked
document number and the registration's dates; never an address or a coordinate.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.errors import Conflict
from amina.keys import Keys
from amina.people.ids import mask_document_number
from amina.people.models import Document, DocumentKind, Person
from amina.people.service import current_card
from amina.registration import proof, repo
from amina.registration.models import Registration, RegistrationProof
from amina.rules.lifecycle import RegistrationStatus


class Outcome(StrEnum):
    VALID = "valid"
    REVOKED = "revoked"
    DEREGISTERED = "deregistered"
    EXPIRED = "expired"


@dataclass(frozen=True)
class Issued:
    token: str
    registration: Registration


@dataclass(frozen=True)
class Checked:
    outcome: Outcome
    registration: Registration
    person: Person
    document: str  # masked

    @property
    def valid(self) -> bool:
        return self.outcome is Outcome.VALID


def current(session: Session, *, keys: Keys, person: Person, now: datetime) -> Issued:
    """The person's live proof for their active registration, made on first use."""
    registration = repo.active_registration(session, person.id)
    if registration is None:
        raise Conflict("there is no active registration to prove", code="not_registered")
    live = _live(session, registration.id)
    if live is None:
        proof_id = uuid.uuid4()
        token = proof.short_token(keys, proof_id)
        values = {
            "id": proof_id,
            "registration_id": registration.id,
            "token_hash": proof.token_hash(token),
            "issued_at": now,
        }
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        # The partial unique index keeps one live proof: a concurrent first use loses here.
        inserted = session.execute(
            insert(RegistrationProof)
            .values(**values)
            .on_conflict_do_nothing()
            .returning(RegistrationProof.id)
        ).first()
        if inserted is not None:
            record(
                session,
                now=now,
                actor=Actor.person(person.id),
                action="proof.issued",
                subject_type="registration",
                subject_id=registration.id,
                person_id=person.id,
            )
        live = _live(session, registration.id)
        assert live is not None  # noqa: S101 - the row exists: ours or the winner's
    return Issued(proof.short_token(keys, live.id), registration)


def revoke(session: Session, *, person: Person, now: datetime) -> bool:
    """Withdraw the live proof (a conditional update); the next one gets a new token."""
    registration = repo.active_registration(session, person.id)
    if registration is None:
        return False
    revoked = session.execute(
        update(RegistrationProof)
        .where(
            RegistrationProof.registration_id == registration.id,
            RegistrationProof.revoked_at.is_(None),
        )
        .values(revoked_at=now)
        .returning(RegistrationProof.id)
    ).first()
    if revoked is not None:
        record(
            session,
            now=now,
            actor=Actor.person(person.id),
            action="proof.revoked",
            subject_type="registration",
            subject_id=registration.id,
            person_id=person.id,
        )
    return revoked is not None


def check(session: Session, *, keys: Keys, token: str, now: datetime) -> Checked | None:
    """What a token proves now, or None when it is not a genuine proof."""
    revoked = expired = False
    if proof.is_short(token):
        row = session.scalar(
            select(RegistrationProof).where(RegistrationProof.token_hash == proof.token_hash(token))
        )
        if row is None:
            return None
        registration_id, revoked = row.registration_id, row.revoked_at is not None
    else:
        claims = proof.read(keys, token) if len(token) < 2000 else None
        if claims is None:
            return None
        registration_id, expired = claims.registration_id, proof.legacy_expired(claims, now)
    registration = session.get(Registration, registration_id)
    person = session.get(Person, registration.person_id) if registration else None
    if registration is None or person is None:
        return None
    if registration.status is not RegistrationStatus.ACTIVE:
        outcome = Outcome.DEREGISTERED
    elif revoked:
        outcome = Outcome.REVOKED
    elif expired:
        outcome = Outcome.EXPIRED
    else:
        outcome = Outcome.VALID
    card = current_card(session, person.id)
    shown = card.number if card is not None else _passport_number(session, person.id)
    return Checked(outcome, registration, person, mask_document_number(shown))


def _passport_number(session: Session, person_id: uuid.UUID) -> str:
    number = session.scalar(
        select(Document.number).where(
            Document.person_id == person_id, Document.kind == DocumentKind.PASSPORT
        )
    )
    return number or ""


def _live(session: Session, registration_id: uuid.UUID) -> RegistrationProof | None:
    return session.scalar(
        select(RegistrationProof).where(
            RegistrationProof.registration_id == registration_id,
            RegistrationProof.revoked_at.is_(None),
        )
    )
