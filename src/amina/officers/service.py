"""Officer accounts, sign-in, and what each role may do (checked server-side, always)."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth import ratelimit, tokens
from amina.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from amina.keys import Keys
from amina.officers.models import Officer, OfficerSession, Role

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
SESSION_TTL = timedelta(hours=8)
ACCESS_TTL = timedelta(minutes=15)
MIN_PASSWORD = 12

# Which roles may do what. Anything not listed here is refused.
PERMISSIONS: dict[str, frozenset[Role]] = {
    "checkin.record": frozenset({Role.MMC_OFFICER, Role.POLICE_OFFICER, Role.SUPERVISOR}),
    "registry.propose": frozenset({Role.MMC_OFFICER, Role.POLICE_OFFICER, Role.SUPERVISOR}),
    "registry.decide": frozenset({Role.MMC_OFFICER, Role.SUPERVISOR}),
    "registry.remove": frozenset({Role.MMC_OFFICER, Role.SUPERVISOR}),
    "case.decide": frozenset({Role.MMC_OFFICER, Role.SUPERVISOR}),
    "case.view": frozenset({Role.MMC_OFFICER, Role.POLICE_OFFICER, Role.SUPERVISOR}),
    "outage.declare": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "calendar.override": frozenset({Role.SUPERVISOR, Role.ADMIN}),
    "patent.issue": frozenset({Role.MMC_OFFICER, Role.SUPERVISOR}),
    "patent.view": frozenset({Role.MMC_OFFICER, Role.POLICE_OFFICER, Role.SUPERVISOR}),
    "booking.arrive": frozenset({Role.MMC_OFFICER, Role.SUPERVISOR}),
    "booking.view": frozenset({Role.MMC_OFFICER, Role.SUPERVISOR}),
    "booking.close": frozenset({Role.SUPERVISOR, Role.ADMIN}),
}


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, maxmem=64 * 1024 * 1024
    )
    encoded = [base64.b64encode(part).decode() for part in (salt, digest)]
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${encoded[0]}${encoded[1]}"


def password_matches(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


@functools.cache
def _decoy_hash() -> str:
    """Compared against for unknown usernames, so that timing does not reveal which exist."""
    return hash_password(secrets.token_urlsafe(16))


def add_officer(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role,
    password: str,
) -> Officer:
    username = username.strip().lower()
    if not username or not display_name.strip():
        raise InvalidInput("username and name are required", code="name_required")
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"a password has at least {MIN_PASSWORD} characters", code="weak_password"
        )
    if session.scalar(select(Officer).where(Officer.username == username)) is not None:
        raise Conflict("this username is taken", code="officer_exists")
    officer = Officer(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=hash_password(password),
        created_at=now,
    )
    session.add(officer)
    session.flush()
    record(
        session,
        now=now,
        actor=actor,
        action="officer.added",
        subject_type="officer",
        subject_id=officer.id,
        data={"username": username, "role": role.value},
    )
    return officer


def by_username(session: Session, username: str) -> Officer:
    officer = session.scalar(select(Officer).where(Officer.username == username.strip().lower()))
    if officer is None or officer.disabled_at is not None:
        raise NotAuthenticated("no active officer with this username", code="unknown_officer")
    return officer


@dataclass(frozen=True)
class OfficerTokens:
    access_token: str
    expires_in: int
    officer_id: uuid.UUID
    role: Role


def sign_in(
    session: Session, *, now: datetime, keys: Keys, username: str, password: str, client_ip: str
) -> OfficerTokens:
    bucket = f"officer-signin:{keys.mac(keys.identifiers, username.lower())[:40]}"
    ratelimit.check(
        session, bucket, now=now, limit=10, window=timedelta(minutes=15), code="rate_limited"
    )
    officer = session.scalar(select(Officer).where(Officer.username == username.strip().lower()))
    matches = password_matches(password, officer.password_hash if officer else _decoy_hash())
    if officer is None or officer.disabled_at is not None or not matches:
        ratelimit.hit(session, bucket, now=now)
        raise NotAuthenticated(
            "wrong username or password", code="invalid_credentials", keep_changes=True
        )
    officer_session = OfficerSession(
        officer_id=officer.id, created_at=now, expires_at=now + SESSION_TTL
    )
    session.add(officer_session)
    session.flush()
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="officer.signed_in",
        subject_type="officer",
        subject_id=officer.id,
    )
    token = tokens.issue_access_token(
        keys.officer_tokens,
        now=now,
        ttl=ACCESS_TTL,
        audience=tokens.OFFICER_AUDIENCE,
        subject=officer.id,
        session_id=officer_session.id,
    )
    return OfficerTokens(token, int(ACCESS_TTL.total_seconds()), officer.id, officer.role)


def authenticate(session: Session, *, now: datetime, keys: Keys, bearer: str) -> Officer:
    claims = tokens.read_access_token(
        keys.officer_tokens, bearer, now=now, audience=tokens.OFFICER_AUDIENCE
    )
    officer_session = session.get(OfficerSession, claims.session_id)
    officer = session.get(Officer, claims.subject)
    if (
        officer_session is None
        or officer is None
        or officer_session.revoked_at is not None
        or (
            officer_session.expires_at <= now
            or officer.disabled_at is not None
            or officer_session.officer_id != officer.id
        )
    ):
        raise NotAuthenticated("this officer session has ended", code="session_revoked")
    return officer


def require(officer: Officer, permission: str) -> None:
    if officer.role not in PERMISSIONS.get(permission, frozenset()):
        raise Forbidden(f"your role ({officer.role.value}) may not do this", code="not_permitted")
