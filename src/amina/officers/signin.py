"""The two steps of an officer's sign-in, and enrolling the second factor.

- The password: failures are throttled per (account, IP), so that nobody can lock an officer
  out by guessing from elsewhere. A correct password on an old hash rehashes it (argon2id).
- The second factor (after a correct password): five failures within the lockout window lock
  the account for two hours, whatever the IP; the officer is told (an audit event, and a notice
  at their next sign-in).

Hashing runs before the first write of the transaction (reads only before it).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth import ratelimit
from amina.config import Settings
from amina.errors import Conflict, Forbidden, NotAuthenticated
from amina.keys import Keys
from amina.officers import second_factor as sf
from amina.officers.models import Officer, RecoveryCode
from amina.officers.passwords import decoy_hash, hash_password, needs_rehash, password_matches

PASSWORD_WINDOW = timedelta(minutes=15)


def _password_bucket(keys: Keys, username: str, client_ip: str) -> str:
    return f"officer-pw:{keys.mac(keys.identifiers, f'{username}|{client_ip}')[:40]}"


def _factor_bucket(officer: Officer) -> str:
    return f"officer-2fa:{officer.id}"


def check_password(
    session: Session,
    *,
    now: datetime,
    keys: Keys,
    settings: Settings,
    username: str,
    password: str,
    client_ip: str,
) -> Officer:
    username = username.strip().lower()
    bucket = _password_bucket(keys, username, client_ip)
    ratelimit.check(
        session,
        bucket,
        now=now,
        limit=settings.officer_password_failures_per_ip,
        window=PASSWORD_WINDOW,
        code="rate_limited",
    )
    officer = session.scalar(select(Officer).where(Officer.username == username))
    stored = officer.password_hash if officer else decoy_hash()
    matches = password_matches(password, stored)
    rehashed = hash_password(password) if matches and needs_rehash(stored) else None
    if officer is None or officer.disabled_at is not None or not matches:
        ratelimit.hit(session, bucket, now=now)
        raise NotAuthenticated(
            "wrong username or password", code="invalid_credentials", keep_changes=True
        )
    if officer.locked_until is not None and officer.locked_until > now:
        raise Forbidden(
            "this account is locked after too many wrong codes; try again later or ask an admin",
            code="account_locked",
            details={"locked_until": officer.locked_until.isoformat()},
        )
    if rehashed is not None:
        officer.password_hash = rehashed
        record(
            session,
            now=now,
            actor=Actor.officer(officer.id),
            action="officer.password_rehashed",
            subject_type="officer",
            subject_id=officer.id,
        )
    return officer


def _lock(session: Session, *, now: datetime, settings: Settings, officer: Officer) -> None:
    officer.locked_until = now + timedelta(seconds=settings.officer_lockout_s)
    officer.lock_notice_at = now
    record(
        session,
        now=now,
        actor=Actor.system("officer-lockout"),
        action="officer.locked",
        subject_type="officer",
        subject_id=officer.id,
        data={"until": officer.locked_until.isoformat()},
    )


def check_second_factor(
    session: Session,
    *,
    now: datetime,
    keys: Keys,
    settings: Settings,
    officer: Officer,
    code: str | None,
    recovery_code: str | None = None,
) -> None:
    """Accept a TOTP code (each at most once) or an unused recovery code; count a failure."""
    if officer.locked_until is not None and officer.locked_until > now:
        raise Forbidden("this account is locked", code="account_locked")
    secret = sf.unseal(keys, officer.totp_secret) if officer.totp_secret else None
    if recovery_code:
        used = session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.officer_id == officer.id,
                RecoveryCode.code_hash == sf.recovery_hash(keys, recovery_code),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=now)
            .returning(RecoveryCode.id)
        ).first()
        if used is not None:
            record(
                session,
                now=now,
                actor=Actor.officer(officer.id),
                action="officer.recovery_code_used",
                subject_type="officer",
                subject_id=officer.id,
            )
            return
    elif code and secret and officer.totp_enrolled_at is not None:
        step = sf.matching_step(secret, code, now, officer.totp_last_step)
        if step is not None:
            # Conditional: two requests with the same code cannot both pass.
            moved = session.execute(
                update(Officer)
                .where(
                    Officer.id == officer.id,
                    (Officer.totp_last_step.is_(None)) | (Officer.totp_last_step < step),
                )
                .values(totp_last_step=step)
                .returning(Officer.id)
            ).first()
            if moved is not None:
                session.refresh(officer)
                return
    bucket = _factor_bucket(officer)
    ratelimit.hit(session, bucket, now=now)
    window = timedelta(seconds=settings.officer_lockout_s)
    failures = ratelimit.count(session, bucket, since=now - window)
    if failures >= settings.officer_second_factor_failures:
        _lock(session, now=now, settings=settings, officer=officer)
        session.flush()
        raise Forbidden(
            "too many wrong codes: this account is locked for two hours",
            code="account_locked",
            keep_changes=True,
        )
    raise NotAuthenticated("the code is not right", code="invalid_code", keep_changes=True)


def begin_enrolment(session: Session, *, keys: Keys, officer: Officer) -> str:
    """A fresh secret for an officer without a second factor (kept until confirmed)."""
    if officer.totp_enrolled_at is not None:
        raise Conflict("a second factor is already enrolled", code="already_enrolled")
    existing = sf.unseal(keys, officer.totp_secret) if officer.totp_secret else None
    if existing is not None:
        return existing
    secret = sf.new_secret()
    officer.totp_secret = sf.seal(keys, secret)
    session.flush()
    return secret


def confirm_enrolment(
    session: Session, *, now: datetime, keys: Keys, settings: Settings, officer: Officer, code: str
) -> list[str]:
    """The first right code enrols the secret; returns the recovery codes (shown once)."""
    if officer.totp_enrolled_at is not None:
        raise Conflict("a second factor is already enrolled", code="already_enrolled")
    secret = sf.unseal(keys, officer.totp_secret) if officer.totp_secret else None
    step = sf.matching_step(secret, code, now, None) if secret else None
    if step is None:
        raise NotAuthenticated("the code is not right", code="invalid_code")
    codes = sf.new_recovery_codes()
    officer.totp_enrolled_at, officer.totp_last_step = now, step
    session.add_all(
        RecoveryCode(officer_id=officer.id, code_hash=sf.recovery_hash(keys, c), created_at=now)
        for c in codes
    )
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="officer.second_factor_enrolled",
        subject_type="officer",
        subject_id=officer.id,
    )
    session.flush()
    return codes


def take_lock_notice(officer: Officer) -> datetime | None:
    """The instant the account was last locked, once (the notice at the next sign-in)."""
    notice, officer.lock_notice_at = officer.lock_notice_at, None
    return notice
