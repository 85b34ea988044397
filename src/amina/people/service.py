"""Recording people as the MMC does, and their cards and passports."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.config import LANGUAGES
from amina.errors import Conflict, InvalidInput, NotFound
from amina.people import ids, lookup
from amina.people.models import CARD_COUNTRY, Document, DocumentKind, DocumentStatus, Person
from amina.rules.calendar import moscow_date
from amina.rules.eligibility import Category, PersonFacts, Purpose, birthday

_PHONE = re.compile(r"^\+[1-9][0-9]{7,14}$")
_COUNTRY = re.compile(r"^[A-Z]{2}$")
CARD_VALIDITY_YEARS = 5


@dataclass(frozen=True)
class NewPerson:
    surname: str
    given_names: str
    birth_date: date
    citizenship: str
    passport_number: str
    phone: str
    purpose: Purpose
    entry_date: date
    stay_days: int | None = None
    category: Category = Category.NONE
    residence_permit: bool = False
    language: str = "ru"


def normalise_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw)
    if not _PHONE.fullmatch(phone):
        raise InvalidInput("a phone number is + and 8 to 15 digits", code="invalid_phone")
    return phone


def normalise_country(raw: str) -> str:
    country = raw.strip().upper()
    if not _COUNTRY.fullmatch(country):
        raise InvalidInput("citizenship is an ISO 3166-1 alpha-2 code", code="invalid_citizenship")
    return country


def _validated(new: NewPerson, today: date) -> NewPerson:
    surname, given = new.surname.strip(), new.given_names.strip()
    if not surname or not given:
        raise InvalidInput("surname and given names are required", code="name_required")
    if not date(1900, 1, 1) <= new.birth_date <= today:
        raise InvalidInput("the birth date is not plausible", code="invalid_birth_date")
    if not new.birth_date <= new.entry_date <= today:
        raise InvalidInput(
            "the entry date must lie between birth and today", code="invalid_entry_date"
        )
    if new.stay_days is not None and not 1 <= new.stay_days <= 3650:
        raise InvalidInput("the declared stay is 1 to 3650 days", code="invalid_stay_days")
    return NewPerson(
        surname=surname,
        given_names=given,
        birth_date=new.birth_date,
        citizenship=normalise_country(new.citizenship),
        passport_number=ids.normalise_passport_number(new.passport_number),
        phone=normalise_phone(new.phone),
        purpose=new.purpose,
        entry_date=new.entry_date,
        stay_days=new.stay_days,
        category=new.category,
        residence_permit=new.residence_permit,
        language=new.language,
    )


def add_person(session: Session, *, now: datetime, actor: Actor, new: NewPerson) -> Person:
    new = _validated(new, moscow_date(now))
    if find_passport(session, new.citizenship, new.passport_number) is not None:
        raise Conflict("a person with this passport is already recorded", code="passport_exists")
    person = Person(
        surname=new.surname,
        given_names=new.given_names,
        birth_date=new.birth_date,
        citizenship=new.citizenship,
        phone=new.phone,
        purpose=new.purpose,
        entry_date=new.entry_date,
        stay_days=new.stay_days,
        category=new.category,
        residence_permit=new.residence_permit,
        language=new.language,
        created_at=now,
        updated_at=now,
    )
    passport = Document(
        kind=DocumentKind.PASSPORT,
        country=new.citizenship,
        number=new.passport_number,
        created_at=now,
    )
    # Two operators recording one passport at once: the unique constraint decides, in a
    # savepoint, and the loser gets the same clean refusal as a sequential duplicate.
    try:
        with session.begin_nested():
            session.add(person)
            session.flush()
            passport.person_id = person.id
            session.add(passport)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "a person with this passport is already recorded", code="passport_exists"
        ) from None
    record(
        session,
        now=now,
        actor=actor,
        action="person.added",
        subject_type="person",
        subject_id=person.id,
    )
    session.flush()
    return person


def get_person(session: Session, person_id: uuid.UUID) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("no such person", code="person_not_found")
    return person


def find_passport(session: Session, country: str, number: str) -> Document | None:
    return lookup.passport_document(session, country, number)


def find_card(session: Session, number: str) -> Document | None:
    return lookup.card_document(session, number)


def person_by_card(session: Session, raw_number: str) -> Person:
    card = find_card(session, ids.normalise_card_number(raw_number))
    if card is None:
        raise NotFound("no card with this number", code="card_not_found")
    return get_person(session, card.person_id)


def current_card(session: Session, person_id: uuid.UUID) -> Document | None:
    return session.scalar(
        select(Document).where(
            Document.person_id == person_id,
            Document.kind == DocumentKind.CARD,
            Document.status == DocumentStatus.VALID,
        )
    )


def issue_card(
    session: Session, *, now: datetime, actor: Actor, person_id: uuid.UUID, number: str | None
) -> Document:
    """Issue a card; a previous valid card is replaced (a person holds one valid card)."""
    person = get_person(session, person_id)
    today = moscow_date(now)
    if number is None:
        number = ids.new_card_number()
        while find_card(session, number) is not None:
            number = ids.new_card_number()
    else:
        number = ids.normalise_card_number(number)
        if find_card(session, number) is not None:
            raise Conflict("this card number is already issued", code="card_exists")
    previous = current_card(session, person.id)
    if previous is not None:
        previous.status = DocumentStatus.REPLACED
    card = Document(
        person_id=person.id,
        kind=DocumentKind.CARD,
        country=CARD_COUNTRY,
        number=number,
        issued_on=today,
        expires_on=birthday(today, CARD_VALIDITY_YEARS) - timedelta(days=1),
        created_at=now,
    )
    session.add(card)
    session.flush()
    record(
        session,
        now=now,
        actor=actor,
        action="card.issued",
        subject_type="person",
        subject_id=person.id,
        data={"card_id": str(card.id)},
    )
    return card


def mark_card_lost(session: Session, *, now: datetime, actor: Actor, number: str) -> Document:
    card = find_card(session, ids.normalise_card_number(number))
    if card is None:
        raise NotFound("no card with this number", code="card_not_found")
    if card.status is not DocumentStatus.VALID:
        raise Conflict(f"the card is already {card.status.value}", code="card_not_valid")
    card.status, card.lost_at = DocumentStatus.LOST, now
    record(
        session,
        now=now,
        actor=actor,
        action="card.lost",
        subject_type="person",
        subject_id=card.person_id,
        data={"card_id": str(card.id)},
    )
    session.flush()
    return card


def facts_of(person: Person) -> PersonFacts:
    return PersonFacts(
        citizenship=person.citizenship,
        birth_date=person.birth_date,
        purpose=person.purpose,
        entry_date=person.entry_date,
        stay_days=person.stay_days,
        category=person.category,
        residence_permit=person.residence_permit,
    )


def set_language(session: Session, *, person: Person, language: str, now: datetime) -> Person:
    if language not in LANGUAGES:
        raise InvalidInput(
            f"language must be one of {', '.join(LANGUAGES)}", code="unsupported_language"
        )
    person.language, person.updated_at = language, now
    return person
