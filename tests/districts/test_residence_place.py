"""A residence's place is sealed at rest and re-encrypted by `amina keys rotate` (issue 11)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from amina import vault
from amina.people import rotation
from amina.registration.models import Residence
from amina.rules.residence import Accommodation
from tests.conftest import DEFAULT_NOW, TEST_SECRET
from tests.people.test_at_rest import _recorded


@pytest.fixture
def restore_keyring(keyring: vault.Keyring) -> Iterator[None]:
    yield
    vault.install(keyring)


def test_the_place_is_sealed_and_rotates_with_the_keys(
    session: Session, restore_keyring: None
) -> None:
    person, _ = _recorded(session)
    for place in ("55.7512,37.6184", None):
        session.add(
            Residence(
                person_id=person.id,
                accommodation=Accommodation.HOTEL,
                moved_in_on=date(2026, 10, 2),
                reported_at=DEFAULT_NOW,
                place=place,
            )
        )
    session.flush()
    raw = session.execute(text("SELECT place_enc FROM residences")).scalars().all()
    assert None in raw and not any("55.7512" in (value or "") for value in raw)
    vault.install(vault.Keyring([TEST_SECRET.encode()], version=2))
    assert rotation.rotate_residences(session, after=None, limit=1000).rewritten == 1
    assert rotation.rotate_residences(session, after=None, limit=1000).rewritten == 0
    session.expire_all()
    residences = list(session.scalars(select(Residence).where(Residence.person_id == person.id)))
    assert {r.place for r in residences} == {"55.7512,37.6184", None}
    after = rotation.rotate_residences(session, after=max(r.id for r in residences), limit=10)
    assert (after.rewritten, after.last_id) == (0, None)
