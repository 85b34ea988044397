"""Officer sign-in (issue 11, and issue 9's item 13): argon2id with old scrypt hashes rehashed,
TOTP with recovery codes, password failures throttled per (account, IP), and the account locked
for two hours only after five wrong second factors, whatever the IP, with the officer told."""

from __future__ import annotations

import base64
import hashlib
import secrets
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.models import AuditEvent
from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.config import Settings
from amina.context import AppContext
from amina.errors import Forbidden, NotAuthenticated, RateLimited
from amina.officers import second_factor as sf
from amina.officers import service as officers
from amina.officers import signin
from amina.officers.models import Officer, Role
from amina.officers.service import add_officer

PASSWORD = "correct horse battery staple"


def scrypt_hash(password: str) -> str:
    """A hash exactly as the code before issue 11 wrote them."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=2**15, r=8, p=1, maxmem=64 * 2**20)
    parts = [base64.b64encode(p).decode() for p in (salt, digest)]
    return f"scrypt$32768$8$1${parts[0]}${parts[1]}"


def new_officer(context: AppContext, clock: FixedClock, username: str = "olga") -> Officer:
    with context.db.unit_of_work() as session:
        officer = add_officer(
            session,
            now=clock.now(),
            actor=Actor("cli", "t"),
            username=username,
            display_name=username.title(),
            role=Role.MMC_OFFICER,
            password=PASSWORD,
        )
        return officer


def enrol(context: AppContext, clock: FixedClock, officer: Officer) -> tuple[str, list[str]]:
    with context.db.unit_of_work() as session:
        fresh = session.get_one(Officer, officer.id)
        secret = signin.begin_enrolment(session, keys=context.keys, officer=fresh)
        codes = signin.confirm_enrolment(
            session,
            now=clock.now(),
            keys=context.keys,
            settings=context.settings,
            officer=fresh,
            code=sf.current_code(secret, clock.now()),
        )
    clock.advance(timedelta(seconds=31))  # the enrolment code's step is used up
    return secret, codes


def api_sign_in(client: TestClient, **body: str) -> tuple[int, dict[str, object]]:
    response = client.post("/api/v1/officer/sessions", json={"username": "olga", **body})
    return response.status_code, response.json()


def test_new_hashes_are_argon2id_and_old_scrypt_ones_work_once_then_are_rehashed(
    context: AppContext, clock: FixedClock, client: TestClient
) -> None:
    officer = new_officer(context, clock)
    with context.db.unit_of_work() as session:
        stored = session.get_one(Officer, officer.id)
        assert stored.password_hash.startswith("$argon2id$")
        stored.password_hash = scrypt_hash(PASSWORD)
    assert api_sign_in(client, password="wrong password!")[0] == 401
    status, _ = api_sign_in(client, password=PASSWORD)
    assert status == 201
    with context.db.unit_of_work(readonly=True) as session:
        assert session.get_one(Officer, officer.id).password_hash.startswith("$argon2id$")
        actions = session.scalars(select(AuditEvent.action)).all()
    assert "officer.password_rehashed" in actions
    assert api_sign_in(client, password=PASSWORD)[0] == 201  # the new hash works


def test_wrong_passwords_are_throttled_per_account_and_ip_never_locking_the_account(
    context: AppContext, clock: FixedClock, session: Session
) -> None:
    new_officer(context, clock)
    keys, settings = context.keys, context.settings

    def attempt(password: str, ip: str) -> Officer:
        return signin.check_password(
            session,
            now=clock.now(),
            keys=keys,
            settings=settings,
            username="olga",
            password=password,
            client_ip=ip,
        )

    for _ in range(settings.officer_password_failures_per_ip):
        with pytest.raises(NotAuthenticated):
            attempt("a wrong password", "203.0.113.9")
    with pytest.raises(RateLimited):
        attempt(PASSWORD, "203.0.113.9")  # this IP waits, even with the right password
    # The officer, elsewhere, is not locked out by the attacker's guesses.
    assert attempt(PASSWORD, "198.51.100.7").username == "olga"
    clock.advance(timedelta(minutes=16))
    assert attempt(PASSWORD, "203.0.113.9").username == "olga"


def test_five_wrong_second_factors_lock_the_account_for_two_hours_whatever_the_ip(
    context: AppContext, clock: FixedClock, client: TestClient
) -> None:
    officer = new_officer(context, clock)
    secret, _ = enrol(context, clock, officer)
    assert api_sign_in(client, password=PASSWORD)[1]["error"]["code"] == "invalid_code"  # type: ignore[index]
    for _ in range(3):
        assert api_sign_in(client, password=PASSWORD, totp_code="000000")[0] == 401
    status, body = api_sign_in(client, password=PASSWORD, totp_code="000000")
    assert (status, body["error"]["code"]) == (403, "account_locked")  # type: ignore[index]
    # Locked: even the right password and the right code are refused.
    code = sf.current_code(secret, clock.now())
    status, body = api_sign_in(client, password=PASSWORD, totp_code=code)
    assert (status, body["error"]["code"]) == (403, "account_locked")  # type: ignore[index]
    with context.db.unit_of_work(readonly=True) as session:
        locked = session.scalars(select(AuditEvent).where(AuditEvent.action == "officer.locked"))
        assert [e.subject_id for e in locked] == [str(officer.id)]
        assert session.get_one(Officer, officer.id).lock_notice_at is not None
    clock.advance(timedelta(hours=2, seconds=1))
    status, _ = api_sign_in(
        client, password=PASSWORD, totp_code=sf.current_code(secret, clock.now())
    )
    assert status == 201


def test_a_wrong_password_never_counts_toward_the_lock(
    context: AppContext, clock: FixedClock, client: TestClient
) -> None:
    officer = new_officer(context, clock)
    secret, _ = enrol(context, clock, officer)
    for _ in range(9):
        assert api_sign_in(client, password="not the password", totp_code="000000")[0] == 401
    status, _ = api_sign_in(
        client, password=PASSWORD, totp_code=sf.current_code(secret, clock.now())
    )
    assert status == 201


def test_a_totp_code_is_accepted_once_and_a_recovery_code_once(
    context: AppContext, clock: FixedClock, client: TestClient
) -> None:
    officer = new_officer(context, clock)
    secret, codes = enrol(context, clock, officer)
    assert len(codes) == 10 and len(set(codes)) == 10
    code = sf.current_code(secret, clock.now())
    assert api_sign_in(client, password=PASSWORD, totp_code=code)[0] == 201
    assert api_sign_in(client, password=PASSWORD, totp_code=code)[0] == 401  # replayed
    assert api_sign_in(client, password=PASSWORD, recovery_code=codes[0])[0] == 201
    assert api_sign_in(client, password=PASSWORD, recovery_code=codes[0])[0] == 401


def test_the_totp_secret_is_stored_sealed(context: AppContext, clock: FixedClock) -> None:
    officer = new_officer(context, clock)
    secret, _ = enrol(context, clock, officer)
    with context.db.unit_of_work(readonly=True) as session:
        sealed = session.get_one(Officer, officer.id).totp_secret
    assert sealed and secret not in sealed
    assert sf.unseal(context.keys, sealed) == secret


def test_in_production_an_officer_without_a_second_factor_cannot_use_the_api(
    context: AppContext, clock: FixedClock, session: Session, settings: Settings
) -> None:
    new_officer(context, clock)
    production = settings.model_copy(update={"env": "production"})
    with pytest.raises(Forbidden) as refused:
        officers.sign_in(
            session,
            now=clock.now(),
            keys=context.keys,
            settings=production,
            username="olga",
            password=PASSWORD,
            client_ip="198.51.100.7",
        )
    assert refused.value.code == "second_factor_not_enrolled"
