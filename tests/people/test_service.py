"""Recording people, cards and passports as the MMC does."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from sqlalchemy.orm import Session

from amina.audit.service import Actor, verify
from amina.errors import Conflict, InvalidInput, NotFound
from amina.people import ids
from amina.people import service as people
from amina.people.models import DocumentStatus
from amina.rules.eligibility import Purpose
from tests.conftest import DEFAULT_NOW

MMC = Actor("cli", "operator")
NEW = people.NewPerson(
    surname=" Karimov ",
    given_names="Aziz",
    birth_date=date(1995, 4, 12),
    citizenship="uz",
    passport_number="ab 123-4567",
    phone="+998 90 123 45 67",
    purpose=Purpose.WORK,
    entry_date=date(2026, 10, 1),
)


def test_add_person_normalises_and_audits(session: Session) -> None:
    person = people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    assert (person.surname, person.citizenship, person.phone) == ("Karimov", "UZ", "+998901234567")
    passport = people.find_passport(session, "UZ", "AB1234567")
    assert passport is not None and passport.person_id == person.id
    assert verify(session).events == 1


def test_the_same_passport_cannot_be_recorded_twice(session: Session) -> None:
    people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    with pytest.raises(Conflict) as raised:
        people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    assert raised.value.code == "passport_exists"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"surname": "  "}, "name_required"),
        ({"birth_date": date(2030, 1, 1)}, "invalid_birth_date"),
        ({"entry_date": date(1990, 1, 1)}, "invalid_entry_date"),
        ({"entry_date": date(2027, 1, 1)}, "invalid_entry_date"),
        ({"stay_days": 0}, "invalid_stay_days"),
        ({"citizenship": "UZB"}, "invalid_citizenship"),
        ({"passport_number": "A1"}, "invalid_passport_number"),
        ({"phone": "12345"}, "invalid_phone"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    session: Session, change: dict[str, object], code: str
) -> None:
    with pytest.raises(InvalidInput) as raised:
        people.add_person(
            session, now=DEFAULT_NOW, actor=MMC, new=dataclasses.replace(NEW, **change)
        )
    assert raised.value.code == code
    assert verify(session).events == 0


def test_issuing_a_card_replaces_the_previous_one(session: Session) -> None:
    person = people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    first = people.issue_card(session, now=DEFAULT_NOW, actor=MMC, person_id=person.id, number=None)
    assert ids.has_valid_check_digit(first.number)
    assert first.expires_on == date(2031, 11, 19)
    second = people.issue_card(
        session, now=DEFAULT_NOW, actor=MMC, person_id=person.id, number="7700 0000 0001"
    )
    assert second.number == "770000000001"
    assert first.status is DocumentStatus.REPLACED
    assert people.current_card(session, person.id) == second
    assert people.person_by_card(session, "7700-0000-0001") == person


def test_card_numbers_are_unique(session: Session) -> None:
    person = people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    people.issue_card(session, now=DEFAULT_NOW, actor=MMC, person_id=person.id, number="AB123456")
    with pytest.raises(Conflict):
        people.issue_card(
            session, now=DEFAULT_NOW, actor=MMC, person_id=person.id, number="ab 123456"
        )


def test_a_lost_card_cannot_be_lost_twice(session: Session) -> None:
    person = people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    card = people.issue_card(session, now=DEFAULT_NOW, actor=MMC, person_id=person.id, number=None)
    lost = people.mark_card_lost(session, now=DEFAULT_NOW, actor=MMC, number=card.number)
    assert lost.status is DocumentStatus.LOST and lost.lost_at == DEFAULT_NOW
    assert people.current_card(session, person.id) is None
    with pytest.raises(Conflict):
        people.mark_card_lost(session, now=DEFAULT_NOW, actor=MMC, number=card.number)
    with pytest.raises(NotFound):
        people.mark_card_lost(session, now=DEFAULT_NOW, actor=MMC, number="999999999999")
