"""Access tokens (signed, short-lived) and refresh tokens (random, stored hashed, rotated)."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from amina.errors import NotAuthenticated

ISSUER = "amina"
MIGRANT_AUDIENCE = "amina:migrant"
OFFICER_AUDIENCE = "amina:officer"
ALGORITHM = "HS256"


@dataclass(frozen=True)
class AccessClaims:
    subject: uuid.UUID
    session_id: uuid.UUID
    device_id: uuid.UUID | None
    expires_at: datetime


def issue_access_token(
    key: bytes,
    *,
    now: datetime,
    ttl: timedelta,
    audience: str,
    subject: uuid.UUID,
    session_id: uuid.UUID,
    device_id: uuid.UUID | None = None,
) -> str:
    claims: dict[str, object] = {
        "iss": ISSUER,
        "aud": audience,
        "sub": str(subject),
        "sid": str(session_id),
        "iat": int(now.timestamp()),
        "exp": int((now + ttl).timestamp()),
    }
    if device_id is not None:
        claims["did"] = str(device_id)
    return jwt.encode(claims, key, algorithm=ALGORITHM)


def read_access_token(key: bytes, token: str, *, now: datetime, audience: str) -> AccessClaims:
    """Check the signature, issuer, audience and expiry (against `now`, not the wall clock)."""
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[ALGORITHM],
            audience=audience,
            issuer=ISSUER,
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "sub", "sid"]},
        )
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        subject, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
        device_id = uuid.UUID(claims["did"]) if "did" in claims else None
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        raise NotAuthenticated("the access token is not valid", code="invalid_token") from None
    if expires_at <= now:
        raise NotAuthenticated("the access token has expired", code="token_expired")
    return AccessClaims(subject, session_id, device_id, expires_at)


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Refresh tokens and service keys carry 256 random bits: SHA-256 is a sufficient verifier."""
    return hashlib.sha256(token.encode()).hexdigest()
