"""The sessions that follow a sign-in: issuing tokens, rotating refresh tokens (a reuse revokes
the whole family), authenticating a request, signing out."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth import tokens
from amina.auth.models import AuthSession, Device, Platform, RefreshToken
from amina.config import Settings
from amina.errors import NotAuthenticated
from amina.keys import Keys


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    expires_in: int
    person_id: uuid.UUID
    device_id: uuid.UUID


def issue(
    session: Session, *, now: datetime, settings: Settings, keys: Keys, auth_session: AuthSession
) -> Tokens:
    """A new access token and refresh token for the session (at sign-in and at each refresh)."""
    refresh = tokens.new_refresh_token()
    session.add(
        RefreshToken(
            session_id=auth_session.id,
            token_hash=tokens.token_hash(refresh),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    ttl = timedelta(seconds=settings.access_token_ttl_s)
    access = tokens.issue_access_token(
        keys.access_tokens,
        now=now,
        ttl=ttl,
        audience=tokens.MIGRANT_AUDIENCE,
        subject=auth_session.person_id,
        session_id=auth_session.id,
        device_id=auth_session.device_id,
    )
    session.flush()
    return Tokens(
        access, refresh, int(ttl.total_seconds()), auth_session.person_id, auth_session.device_id
    )


def _revoke_family(session: Session, *, now: datetime, session_id: uuid.UUID) -> None:
    """A refresh token presented twice was copied: the session and every token of its family
    stop working, whichever copy came first."""
    session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(RefreshToken)
        .where(RefreshToken.session_id == session_id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )


def refresh(
    session: Session, *, now: datetime, settings: Settings, keys: Keys, refresh_token: str
) -> Tokens:
    """Rotate: the old token stops working. Presenting a used one means it was copied, so the
    whole session (the token's family) is revoked.

    The rotation is a conditional update (`… WHERE used_at IS NULL RETURNING`): of two
    concurrent refreshes with one token exactly one wins, and the loser counts as a reuse.
    """
    stored = session.scalar(
        select(RefreshToken).where(RefreshToken.token_hash == tokens.token_hash(refresh_token))
    )
    if stored is None:
        raise NotAuthenticated("the refresh token is not valid", code="invalid_refresh_token")
    auth_session = session.get(AuthSession, stored.session_id)
    device = session.get(Device, auth_session.device_id) if auth_session else None
    if (
        auth_session is None
        or auth_session.revoked_at is not None
        or device is None
        or (device.revoked_at is not None)
    ):
        raise NotAuthenticated("this session has ended; sign in again", code="session_revoked")
    if stored.expires_at <= now and stored.used_at is None:
        raise NotAuthenticated(
            "the refresh token has expired; sign in again", code="refresh_token_expired"
        )
    rotated = session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == stored.id, RefreshToken.used_at.is_(None))
        .values(used_at=now)
        .returning(RefreshToken.id)
        .execution_options(synchronize_session=False)
    ).first()
    if rotated is None:
        _revoke_family(session, now=now, session_id=auth_session.id)
        record(
            session,
            now=now,
            actor=Actor.person(auth_session.person_id),
            action="auth.refresh_reused",
            subject_type="person",
            subject_id=auth_session.person_id,
            data={"session_id": str(auth_session.id)},
        )
        raise NotAuthenticated(
            "this refresh token was already used; sign in again",
            code="refresh_token_reused",
            keep_changes=True,  # the revocation of the family stands
        )
    return issue(session, now=now, settings=settings, keys=keys, auth_session=auth_session)


@dataclass(frozen=True)
class Principal:
    """Who is calling: a signed-in person on a bound device."""

    person_id: uuid.UUID
    device_id: uuid.UUID
    session_id: uuid.UUID
    public_key: bytes | None
    platform: Platform


def authenticate(session: Session, *, now: datetime, keys: Keys, bearer: str) -> Principal:
    claims = tokens.read_access_token(
        keys.access_tokens, bearer, now=now, audience=tokens.MIGRANT_AUDIENCE
    )
    row = session.execute(
        select(AuthSession, Device)
        .join(Device, Device.id == AuthSession.device_id)
        .where(AuthSession.id == claims.session_id)
    ).one_or_none()
    if row is None:
        raise NotAuthenticated("the access token is not valid", code="invalid_token")
    auth_session, device = row
    if auth_session.revoked_at is not None or device.revoked_at is not None:
        raise NotAuthenticated("this session has ended; sign in again", code="session_revoked")
    if auth_session.person_id != claims.subject:
        raise NotAuthenticated("the access token is not valid", code="invalid_token")
    return Principal(
        auth_session.person_id, device.id, auth_session.id, device.public_key, device.platform
    )


def sign_out(session: Session, *, now: datetime, principal: Principal) -> None:
    auth_session = session.get(AuthSession, principal.session_id)
    if auth_session is not None and auth_session.revoked_at is None:
        auth_session.revoked_at = now
        record(
            session,
            now=now,
            actor=Actor.person(principal.person_id),
            action="auth.signed_out",
            subject_type="person",
            subject_id=principal.person_id,
        )
