"""Capacity under concurrency (rules.md §8): 50 people book the same slot of capacity 3 at the
same instant against a real `amina serve`; exactly 3 get it. Runs on whichever database the
suite runs on (SQLite by default, PostgreSQL with AMINA_TEST_DATABASE_URL)."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime

import httpx
import pytest
from sqlalchemy import func, select

from amina.audit.service import Actor
from amina.bookings.models import Booking, BookingSlot
from amina.db import Database
from amina.notifications.repo import sent_sms
from amina.people import service as people
from amina.rules.calendar import MOSCOW
from amina.rules.eligibility import Purpose
from tests.conftest import TEST_SECRET
from tests.support.migrant import Migrant
from tests.support.server import LiveServer

pytestmark = [pytest.mark.server, pytest.mark.slow]
PEOPLE = 50
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)
SLOT = datetime(2026, 11, 23, 9, 0, tzinfo=MOSCOW)  # card_issue: capacity 3


def seed_people(db: Database, count: int) -> list[tuple[str, str]]:
    """(card number, phone) of `count` people, recorded straight through the service."""
    seeded = []
    with db.unit_of_work() as session:
        for n in range(count):
            phone = f"+99893{n:07d}"
            person = people.add_person(
                session,
                now=NOW,
                actor=Actor("cli", "test"),
                new=people.NewPerson(
                    "Test",
                    f"Person {n}",
                    date(1990, 1, 1),
                    "UZ",
                    f"FC{n:07d}",
                    phone,
                    Purpose.WORK,
                    date(2026, 9, 1),
                ),
            )
            card = people.issue_card(
                session, now=NOW, actor=Actor("cli", "test"), person_id=person.id, number=None
            )
            seeded.append((card.number, phone))
    return seeded


# The people are seeded in this process, so the server shares the suite's secret: it decrypts them.
@pytest.mark.server_env(
    AMINA_SECRET_KEY=TEST_SECRET,
    AMINA_NOW=NOW.isoformat(),
    AMINA_SENDS_PER_IP_PER_HOUR="1000",
    AMINA_CHALLENGE_RESPONSE_FLOOR_S="0",
)
def test_fifty_parallel_bookings_for_a_slot_of_three(live_server: LiveServer) -> None:
    db = Database.connect(live_server.database_url)
    try:

        def latest_sms(phone: str) -> str:
            with db.unit_of_work(readonly=True) as session:
                return sent_sms(session, phone=phone, limit=1)[0].text

        with httpx.Client(base_url=live_server.base_url, timeout=60) as http:
            phones = []
            for card, phone in seed_people(db, PEOPLE):
                migrant = Migrant(http, latest_sms=latest_sms, now=lambda: NOW, phone=phone)
                migrant.sign_in(card, "1990-01-01")
                phones.append(migrant)

        start = threading.Barrier(PEOPLE)

        def attempt(migrant: Migrant) -> tuple[int, str]:
            with httpx.Client(base_url=live_server.base_url, timeout=60) as own:
                start.wait()
                response = own.post(
                    "/api/v1/me/bookings",
                    json={"service": "card_issue", "slot_start": SLOT.isoformat()},
                    headers=migrant.auth,
                )
            code = response.json().get("error", {}).get("code", "") if response.is_error else ""
            return response.status_code, code

        with ThreadPoolExecutor(max_workers=PEOPLE) as pool:
            outcomes = list(pool.map(attempt, phones))

        assert sorted(outcomes).count((201, "")) == 3, outcomes
        assert outcomes.count((409, "slot_full")) == PEOPLE - 3, outcomes
        with db.unit_of_work(readonly=True) as session:
            booked = session.scalar(
                select(func.count()).select_from(Booking).where(Booking.slot_start == SLOT)
            )
            counter = session.scalar(
                select(BookingSlot.booked).where(BookingSlot.starts_at == SLOT)
            )
        assert booked == 3 and counter == 3
    finally:
        db.dispose()
