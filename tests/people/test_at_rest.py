"""Issue 9, defect 8: names, phones, birth dates and document numbers are encrypted at rest and
found by keyed hashes; keys rotate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from amina import vault
from amina.audit.service import Actor
from amina.people import lookup, rotation
from amina.people import service as people
from amina.rules.eligibility import Purpose
from tests.conftest import DEFAULT_NOW, TEST_SECRET

MMC = Actor("cli", "operator")
NEW = people.NewPerson(
    surname="Каримов",
    given_names="Азиз Бахтиёрович",
    birth_date=date(1995, 4, 12),
    citizenship="UZ",
    passport_number="AB 7654321",
    phone="+998 90 765 43 21",
    purpose=Purpose.WORK,
    entry_date=date(2026, 10, 1),
)


def _recorded(session: Session) -> tuple[people.Person, str]:
    person = people.add_person(session, now=DEFAULT_NOW, actor=MMC, new=NEW)
    card = people.issue_card(session, now=DEFAULT_NOW, actor=MMC, person_id=person.id, number=None)
    return person, card.number


def _raw_rows(session: Session) -> str:
    rows = [
        *session.execute(text("SELECT * FROM persons")).all(),
        *session.execute(text("SELECT * FROM documents")).all(),
    ]
    return "\n".join(str(value) for row in rows for value in row)


def test_the_database_holds_no_personal_data_in_plain_text(session: Session) -> None:
    person, card = _recorded(session)
    raw = _raw_rows(session)
    for secret in ("Каримов", "Азиз", "1995-04-12", "998907654321", "7654321", card, card[-6:]):
        assert secret not in raw
    assert "AB7654321" not in raw.replace("-", "")
    # …while the code reads plain attributes.
    session.expire_all()
    reread = people.get_person(session, person.id)
    assert (reread.surname, reread.birth_date, reread.phone) == (
        "Каримов",
        date(1995, 4, 12),
        "+998907654321",
    )


def test_lookups_find_people_by_the_normalised_value(session: Session) -> None:
    person, card = _recorded(session)
    spaced = " ".join(card[i : i + 4] for i in range(0, len(card), 4))
    assert lookup.persons_by_card(session, spaced) == [person.id]
    assert lookup.persons_by_passport(session, " uz ", "ab 7654321") == [person.id]
    assert lookup.persons_by_phone(session, "+998 (90) 765-43-21") == [person.id]
    assert lookup.persons_by_surname_birth_date(session, " КАРИМОВ ", date(1995, 4, 12)) == [
        person.id
    ]
    assert lookup.persons_by_surname_birth_date(session, "Каримов", date(1995, 4, 13)) == []
    assert lookup.persons_by_passport(session, "TJ", "AB7654321") == []
    assert lookup.persons_by_phone(session, "+998907654320") == []


def test_a_tampered_ciphertext_is_refused(session: Session) -> None:
    person, _ = _recorded(session)
    token = session.execute(
        text("SELECT phone_enc FROM persons WHERE phone_hash = :h"),
        {"h": vault.current().lookup("phone", "+998907654321")},
    ).scalar_one()
    kid, _, body = token.partition(".")
    flipped = body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB")
    with pytest.raises(vault.KeyringError):
        vault.current().decrypt("phone", f"{kid}.{flipped}")
    with pytest.raises(vault.KeyringError):
        vault.current().decrypt("name", token)  # a phone ciphertext is no name
    assert person.phone == "+998907654321"


@pytest.fixture
def restore_keyring(keyring: vault.Keyring) -> Iterator[None]:
    yield
    vault.install(keyring)


def _rotate_all(session: Session) -> tuple[int, int]:
    persons = rotation.rotate_persons(session, after=None, limit=1000).rewritten
    documents = rotation.rotate_documents(session, after=None, limit=1000).rewritten
    return persons, documents


def test_keys_rotate_to_a_new_version_and_a_new_secret(
    session: Session, restore_keyring: None
) -> None:
    person, card = _recorded(session)
    # A new key version: old values still decrypt and are found, and rotation rewrites them.
    vault.install(vault.Keyring([TEST_SECRET.encode()], version=2))
    session.expire_all()
    assert people.get_person(session, person.id).surname == "Каримов"
    assert lookup.persons_by_card(session, card) == [person.id]
    assert _rotate_all(session) == (1, 2)
    assert _rotate_all(session) == (0, 0)  # nothing left under the old key
    # A new secret, the old one retired: rotate, then the old secret can go.
    new_secret = b"another-secret-" + b"Zq8Lw3Rt6Yp1Nx4V" * 3
    vault.install(vault.Keyring([new_secret, TEST_SECRET.encode()], version=2))
    assert _rotate_all(session) == (1, 2)
    vault._RETAINED.clear()  # forget every key this process has seen but the new secret's
    vault.install(vault.Keyring([new_secret], version=2))
    vault._RETAINED.clear()
    session.expire_all()
    assert people.get_person(session, person.id).phone == "+998907654321"
    assert lookup.persons_by_card(session, card) == [person.id]
    assert lookup.persons_by_phone(session, "+998907654321") == [person.id]
    assert people.find_passport(session, "UZ", "AB7654321") is not None


def test_a_value_under_an_unknown_key_is_a_clear_error(
    session: Session, restore_keyring: None
) -> None:
    _recorded(session)
    token = session.execute(text("SELECT surname_enc FROM persons")).scalars().first()
    assert token is not None
    vault._RETAINED.clear()
    ring = vault.install(vault.Keyring([b"x" * 48]))
    vault._RETAINED.clear()
    with pytest.raises(vault.KeyringError, match="retired secret"):
        ring.decrypt("name", token)
