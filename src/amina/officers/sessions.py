"""Console sessions: a random cookie whose keyed hash is stored, 15 minutes idle and 12 hours
absolute (settings), ended server-side at sign-out, and all others ended by a password change.

A session is created after a correct password with `second_factor_at` null: it opens only the
second-factor (or enrolment) page until the factor is given.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.config import Settings
from amina.errors import InvalidInput, NotAuthenticated
from amina.keys import Keys
from amina.officers.models import Officer, OfficerSession
from amina.officers.passwords import hash_password, password_matches
from amina.officers.service import check_new_password

# Writing last_seen_at on every click would make each page a write; once a minute is enough.
TOUCH_EVERY = timedelta(seconds=60)


def _key(keys: Keys, purpose: str) -> bytes:
    return hmac.new(keys.secret, f"amina:{purpose}".encode(), hashlib.sha256).digest()


def token_hash(keys: Keys, token: str) -> str:
    return hmac.new(_key(keys, "console-sessions"), token.encode(), hashlib.sha256).hexdigest()


def csrf_token(keys: Keys, session_id: uuid.UUID) -> str:
    """The synchroniser token of a session: derived, so nothing more is stored."""
    return hmac.new(_key(keys, "console-csrf"), session_id.bytes, hashlib.sha256).hexdigest()


def csrf_matches(keys: Keys, session_id: uuid.UUID, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(csrf_token(keys, session_id), given or "")


@dataclass(frozen=True)
class Opened:
    token: str
    session: OfficerSession


def open_session(
    session: Session, *, now: datetime, keys: Keys, settings: Settings, officer: Officer
) -> Opened:
    token = secrets.token_urlsafe(32)
    officer_session = OfficerSession(
        officer_id=officer.id,
        created_at=now,
        expires_at=now + timedelta(seconds=settings.console_absolute_timeout_s),
        kind="console",
        token_hash=token_hash(keys, token),
        last_seen_at=now,
    )
    session.add(officer_session)
    session.flush()
    return Opened(token, officer_session)


@dataclass(frozen=True)
class Current:
    officer: Officer
    session: OfficerSession

    @property
    def complete(self) -> bool:
        return self.session.second_factor_at is not None


def current(
    session: Session, *, now: datetime, keys: Keys, settings: Settings, token: str | None
) -> Current:
    """The console session of a cookie, checked for every limit; NotAuthenticated if none."""
    if not token:
        raise NotAuthenticated("sign in to the console", code="not_authenticated")
    officer_session = (
        session.query(OfficerSession)
        .filter(OfficerSession.token_hash == token_hash(keys, token))
        .one_or_none()
    )
    officer = session.get(Officer, officer_session.officer_id) if officer_session else None
    idle = timedelta(seconds=settings.console_idle_timeout_s)
    if (
        officer_session is None
        or officer is None
        or officer_session.kind != "console"
        or officer_session.revoked_at is not None
        or officer_session.expires_at <= now
        or (officer_session.last_seen_at or officer_session.created_at) + idle <= now
        or officer.disabled_at is not None
        or (officer.locked_until is not None and officer.locked_until > now)
    ):
        raise NotAuthenticated("your console session has ended", code="not_authenticated")
    if now - (officer_session.last_seen_at or officer_session.created_at) >= TOUCH_EVERY:
        officer_session.last_seen_at = now
    return Current(officer, officer_session)


def complete(session: Session, *, now: datetime, current: Current) -> None:
    current.session.second_factor_at = now
    record(
        session,
        now=now,
        actor=Actor.officer(current.officer.id),
        action="officer.signed_in",
        subject_type="officer",
        subject_id=current.officer.id,
        data={"via": "console"},
    )


def sign_out(session: Session, *, now: datetime, current: Current) -> None:
    session.execute(
        update(OfficerSession)
        .where(OfficerSession.id == current.session.id, OfficerSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    record(
        session,
        now=now,
        actor=Actor.officer(current.officer.id),
        action="officer.signed_out",
        subject_type="officer",
        subject_id=current.officer.id,
    )


def prepare_password_change(officer: Officer, old: str, new: str) -> str:
    """Checks and hashes outside any write (hashing is slow): returns the new hash."""
    if not password_matches(old, officer.password_hash):
        raise InvalidInput("the current password is not right", code="wrong_password")
    check_new_password(new)
    if old == new:
        raise InvalidInput("choose a new password", code="same_password")
    return hash_password(new)


def change_password(session: Session, *, now: datetime, current: Current, new_hash: str) -> int:
    """Stores the new hash and ends every other session (console and API) of the officer."""
    officer = current.officer
    officer.password_hash, officer.password_changed_at = new_hash, now
    ended = len(
        session.execute(
            update(OfficerSession)
            .where(
                OfficerSession.officer_id == officer.id,
                OfficerSession.id != current.session.id,
                OfficerSession.revoked_at.is_(None),
            )
            .values(revoked_at=now)
            .returning(OfficerSession.id)
        ).all()
    )
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="officer.password_changed",
        subject_type="officer",
        subject_id=officer.id,
        data={"sessions_ended": ended},
    )
    return ended
