"""Sign-in security (issue 3): hashed single-use codes, lockout, rate limits, enumeration."""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.auth.models import Challenge
from amina.clock import FixedClock
from amina.context import AppContext
from amina.db import Database
from amina.notifications.repo import sent_sms
from amina.people import service as people
from amina.web.app import create_app
from tests.conftest import Recorded
from tests.support.migrant import Migrant, code_in

HINT = re.compile(r"^\+\d{1,3} ••• •• ••$")


def start(migrant: Migrant, person: Recorded) -> str:
    response = migrant.challenge(
        method="card", card_number=person.card_number, birth_date=person.birth_date
    )
    assert response.status_code == 202, response.text
    return str(response.json()["challenge_id"])


@pytest.fixture
def client_from(context: AppContext) -> Iterator[Callable[[str], TestClient]]:
    """Test clients that appear to come from different IP addresses."""
    app = create_app(context.settings, context=context)
    opened: list[TestClient] = []

    def make(ip: str) -> TestClient:
        client = TestClient(app, client=(ip, 40000))
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def test_code_is_hashed_single_use_and_short_lived(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    db: Database,
    clock: FixedClock,
) -> None:
    person = add_person()
    migrant = migrant_for(person)
    challenge_id = start(migrant, person)
    code = code_in(migrant.latest_sms(person.phone))
    with db.unit_of_work(readonly=True) as session:
        stored = session.scalars(select(Challenge)).one()
        assert code not in stored.code_hash and len(stored.code_hash) == 64
        assert stored.expires_at - clock.now() <= timedelta(minutes=10)
    assert migrant.session(challenge_id, code).status_code == 201
    reused = migrant.session(challenge_id, code)
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "code_used"


def test_an_expired_code_is_refused(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    clock: FixedClock,
) -> None:
    person = add_person()
    migrant = migrant_for(person)
    challenge_id = start(migrant, person)
    code = code_in(migrant.latest_sms(person.phone))
    clock.advance(timedelta(minutes=10, seconds=1))
    response = migrant.session(challenge_id, code)
    assert response.status_code == 401 and response.json()["error"]["code"] == "code_expired"


def test_a_code_only_works_for_its_own_challenge(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> None:
    person = add_person()
    migrant = migrant_for(person)
    first = start(migrant, person)
    first_code = code_in(migrant.latest_sms(person.phone))
    second = start(migrant, person)
    second_code = code_in(migrant.latest_sms(person.phone))
    if first_code != second_code:
        response = migrant.session(second, first_code)
        assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_code"
    assert migrant.session(first, first_code).status_code == 201


def test_five_tries_per_challenge(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> None:
    person = add_person()
    migrant = migrant_for(person)
    challenge_id = start(migrant, person)
    code = code_in(migrant.latest_sms(person.phone))
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        response = migrant.session(challenge_id, wrong)
        assert response.status_code == 401 and response.json()["error"]["code"] == "invalid_code"
    exhausted = migrant.session(challenge_id, code)  # even the right code is too late now
    assert exhausted.status_code == 401
    assert exhausted.json()["error"]["code"] == "challenge_exhausted"


@pytest.mark.settings(sends_per_identifier_per_hour=20, sends_per_phone_per_hour=20)
def test_five_failed_challenges_lock_the_document_whatever_the_ip(
    add_person: Callable[..., Recorded],
    client_from: Callable[[str], TestClient],
    latest_sms: Callable[[str], str],
    clock: FixedClock,
) -> None:
    person = add_person()

    def migrant(ip: str) -> Migrant:
        return Migrant(client_from(ip), latest_sms=latest_sms, now=clock.now, phone=person.phone)

    early = migrant("10.0.0.100")
    kept_challenge = start(early, person)
    kept_code = code_in(latest_sms(person.phone))
    for n in range(5):
        phone = migrant(f"10.0.0.{n}")
        challenge_id = start(phone, person)
        wrong = f"{(int(code_in(latest_sms(person.phone))) + 1) % 1_000_000:06d}"
        assert phone.session(challenge_id, wrong).status_code == 401
    locked = migrant("10.0.0.200").challenge(
        method="card", card_number=person.card_number, birth_date=person.birth_date
    )
    assert locked.status_code == 429 and locked.json()["error"]["code"] == "identifier_locked"
    assert "retry-after" in locked.headers
    # A code sent before the lock does not open it either.
    refused = early.session(kept_challenge, kept_code)
    assert refused.status_code == 429
    # Two hours later the lock has lifted.
    clock.advance(timedelta(hours=2, minutes=1))
    assert (
        migrant("10.0.0.201")
        .challenge(method="card", card_number=person.card_number, birth_date=person.birth_date)
        .status_code
        == 202
    )


@pytest.mark.settings(sends_per_ip_per_hour=3)
def test_sends_per_ip_are_capped(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    clock: FixedClock,
) -> None:
    persons = [add_person() for _ in range(4)]
    migrant = migrant_for(persons[0])
    for person in persons[:3]:
        start(migrant, person)
    capped = migrant.challenge(
        method="card", card_number=persons[3].card_number, birth_date=persons[3].birth_date
    )
    assert capped.status_code == 429 and capped.json()["error"]["code"] == "rate_limited"
    clock.advance(timedelta(hours=1, seconds=1))
    start(migrant, persons[3])


@pytest.mark.settings(sends_per_identifier_per_hour=10, sends_per_phone_per_hour=2)
def test_sends_per_phone_are_capped(
    add_person: Callable[..., Recorded],
    client_from: Callable[[str], TestClient],
    latest_sms: Callable[[str], str],
    clock: FixedClock,
) -> None:
    person = add_person()
    by_passport = {
        "method": "passport",
        "citizenship": person.citizenship,
        "passport_number": person.passport,
        "birth_date": person.birth_date,
    }
    by_card = {"method": "card", "card_number": person.card_number, "birth_date": person.birth_date}
    answers = [
        Migrant(
            client_from(f"10.1.0.{n}"), latest_sms=latest_sms, now=clock.now, phone=person.phone
        )
        .challenge(**body)
        .status_code
        for n, body in enumerate([by_card, by_passport, by_card])
    ]
    assert answers == [202, 202, 429]


def test_unknown_identities_get_the_same_answer(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    client: TestClient,
) -> None:
    person = add_person()
    migrant = migrant_for(person)
    known = migrant.challenge(
        method="card", card_number=person.card_number, birth_date=person.birth_date
    )
    unknown = migrant.challenge(
        method="card", card_number="770012345678", birth_date=person.birth_date
    )
    wrong_birth = migrant.challenge(
        method="card", card_number=person.card_number, birth_date="1990-01-01"
    )
    for response in (known, unknown, wrong_birth):
        assert response.status_code == 202
        body = response.json()
        assert set(body) == {"challenge_id", "expires_at", "delivery", "phone_hint"}
        assert HINT.match(body["phone_hint"]), body["phone_hint"]
    # The decoy hint is stable, as a real one would be.
    again = migrant.challenge(
        method="card", card_number="770012345678", birth_date=person.birth_date
    )
    assert again.json()["phone_hint"] == unknown.json()["phone_hint"]
    # Any code for an unknown identity fails exactly like a wrong code.
    refused = migrant.session(unknown.json()["challenge_id"], "123456")
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_code"


@pytest.mark.settings(challenge_response_floor_s=0.35)
def test_unknown_identities_answer_in_the_same_time(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> None:
    person = add_person()
    migrant = migrant_for(person)

    def timed(card: str) -> float:
        started = time.perf_counter()
        response = migrant.challenge(method="card", card_number=card, birth_date=person.birth_date)
        assert response.status_code == 202
        return time.perf_counter() - started

    known = [timed(person.card_number) for _ in range(4)]
    unknown = [timed(f"77009999{n:04d}") for n in range(4)]
    assert min(known + unknown) >= 0.35  # the floor holds for both
    assert abs(statistics.median(known) - statistics.median(unknown)) < 0.05


def test_lost_card_leads_to_passport_sign_in(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    db: Database,
    clock: FixedClock,
) -> None:
    person = add_person()
    with db.unit_of_work() as session:
        people.mark_card_lost(
            session, now=clock.now(), actor=people.Actor("cli", "t"), number=person.card_number
        )
    migrant = migrant_for(person)
    by_card = migrant.challenge(
        method="card", card_number=person.card_number, birth_date=person.birth_date
    )
    assert by_card.status_code == 202
    with db.unit_of_work(readonly=True) as session:
        assert sent_sms(session, phone=person.phone) == []  # no code went out for a lost card
    by_passport = migrant.challenge(
        method="passport",
        citizenship=person.citizenship,
        passport_number=person.passport.lower(),
        birth_date=person.birth_date,
    )
    assert by_passport.status_code == 202
    code = code_in(migrant.latest_sms(person.phone))
    assert migrant.session(by_passport.json()["challenge_id"], code).status_code == 201


def test_refresh_rotates_and_a_reused_token_ends_the_session(
    signed_in: tuple[Recorded, Migrant], client: TestClient
) -> None:
    _, migrant = signed_in
    first_refresh = migrant.refresh_token
    rotated = client.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})
    assert rotated.status_code == 200
    new_pair = rotated.json()
    assert new_pair["refresh_token"] != first_refresh
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": first_refresh})
    assert reused.status_code == 401
    assert reused.json()["error"]["code"] == "refresh_token_reused"
    # Theft detected: the whole session is gone, new tokens included.
    after = client.post("/api/v1/auth/refresh", json={"refresh_token": new_pair["refresh_token"]})
    assert after.status_code == 401
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {new_pair['access_token']}"})
    assert me.status_code == 401


def test_access_tokens_expire_within_15_minutes(
    signed_in: tuple[Recorded, Migrant], clock: FixedClock, client: TestClient
) -> None:
    _, migrant = signed_in
    assert migrant.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(minutes=15))
    expired = migrant.get("/api/v1/me")
    assert expired.status_code == 401 and expired.json()["error"]["code"] == "token_expired"
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": migrant.refresh_token})
    assert refreshed.status_code == 200 and refreshed.json()["expires_in"] <= 900


def test_sign_out_ends_the_session_at_once(
    signed_in: tuple[Recorded, Migrant], client: TestClient
) -> None:
    _, migrant = signed_in
    assert client.delete("/api/v1/auth/sessions/current", headers=migrant.auth).status_code == 204
    response = migrant.get("/api/v1/me")
    assert response.status_code == 401 and response.json()["error"]["code"] == "session_revoked"
    refreshed = client.post("/api/v1/auth/refresh", json={"refresh_token": migrant.refresh_token})
    assert refreshed.status_code == 401


def test_a_malformed_device_key_costs_no_attempt(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    client: TestClient,
    db: Database,
) -> None:
    person = add_person()
    migrant = migrant_for(person)
    challenge_id = start(migrant, person)
    code = code_in(migrant.latest_sms(person.phone))
    bad = client.post(
        "/api/v1/auth/sessions",
        json={
            "challenge_id": challenge_id,
            "code": code,
            "device": {"public_key": "not-a-key", "platform": "android"},
        },
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_public_key"
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(Challenge)).one().attempts == 0
    assert migrant.session(challenge_id, code).status_code == 201


def test_garbage_tokens_are_401(client: TestClient) -> None:
    for header in ({}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"}):
        response = client.get("/api/v1/me", headers=header)
        assert response.status_code == 401
        assert response.json()["error"]["code"] in {"not_authenticated", "invalid_token"}
