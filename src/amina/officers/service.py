"""Officer accounts, API sign-in, and what each role may do (checked server-side, always).

Sign-in in two steps (`officers.signin`): a password, throttled per (account, IP), then a second
factor (TOTP or a recovery code); five wrong second factors lock the account for two hours,
whatever the IP. Console sessions (cookies) are in `officers.sessions`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth import tokens
from amina.config import Settings
from amina.districts.service import check_code
from amina.errors import Conflict, Forbidden, InvalidInput, NotAuthenticated
from amina.keys import Keys
from amina.officers import signin
from amina.officers.models import Officer, OfficerSession, Role
from amina.officers.passwords import hash_password, password_matches
from amina.officers.permissions import PERMISSIONS, allowed

__all__ = ["PERMISSIONS", "hash_password", "password_matches"]

SESSION_TTL = timedelta(hours=12)
ACCESS_TTL = timedelta(minutes=15)
MIN_PASSWORD = 12


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(
            f"a password has at least {MIN_PASSWORD} characters", code="weak_password"
        )


def add_officer(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    username: str,
    display_name: str,
    role: Role,
    password: str,
    district: str | None = None,
) -> Officer:
    username = username.strip().lower()
    if not username or not display_name.strip():
        raise InvalidInput("username and name are required", code="name_required")
    check_new_password(password)
    if session.scalar(select(Officer).where(Officer.username == username)) is not None:
        raise Conflict("this username is taken", code="officer_exists")
    password_hash = hash_password(password)
    officer = Officer(
        username=username,
        display_name=display_name.strip(),
        role=role,
        password_hash=password_hash,
        created_at=now,
        password_changed_at=now,
        district=check_code(session, district),
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
        data={"username": username, "role": role.value, "district": officer.district},
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
    session: Session,
    *,
    now: datetime,
    keys: Keys,
    settings: Settings,
    username: str,
    password: str,
    client_ip: str,
    totp_code: str | None = None,
    recovery_code: str | None = None,
) -> OfficerTokens:
    """API sign-in. An officer with a second factor must give it; one without may sign in with
    the password alone outside production only (they enrol at their first console sign-in)."""
    officer = signin.check_password(
        session,
        now=now,
        keys=keys,
        settings=settings,
        username=username,
        password=password,
        client_ip=client_ip,
    )
    if officer.totp_enrolled_at is not None or totp_code or recovery_code:
        signin.check_second_factor(
            session,
            now=now,
            keys=keys,
            settings=settings,
            officer=officer,
            code=totp_code,
            recovery_code=recovery_code,
        )
    elif settings.is_production:
        raise Forbidden(
            "enrol a second factor at the console first", code="second_factor_not_enrolled"
        )
    officer_session = OfficerSession(
        officer_id=officer.id,
        created_at=now,
        expires_at=now + SESSION_TTL,
        kind="api",
        last_seen_at=now,
        second_factor_at=now if officer.totp_enrolled_at else None,
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
        data={"via": "api"},
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
        or officer_session.kind != "api"
        or (
            officer_session.expires_at <= now
            or officer.disabled_at is not None
            or officer_session.officer_id != officer.id
        )
    ):
        raise NotAuthenticated("this officer session has ended", code="session_revoked")
    return officer


def require(officer: Officer, permission: str) -> None:
    if not allowed(officer.role, permission):
        raise Forbidden(f"your role ({officer.role.value}) may not do this", code="not_permitted")
