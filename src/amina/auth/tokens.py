"""Access tokens (signed, short-lived) and refresh tokens (random, stored hashed, rotated)."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
import orjson

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


_SEGMENT = re.compile(r"[A-Za-z0-9_-]+")


def _segment(text: str) -> bytes:
    if not _SEGMENT.fullmatch(text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _verified_claims(key: bytes, token: str, audience: str) -> dict[str, Any]:
    """The claims of an HS256 token we issued, checked as strictly as PyJWT checks them (it is
    the reference in `tests/auth/test_tokens.py`), without its general machinery: about a
    tenth of its CPU, which every report paid for a new token (docs/performance.md)."""
    head, payload, signature = token.split(".")  # not three segments: ValueError
    header = orjson.loads(_segment(head))
    if not isinstance(header, dict) or header.get("alg") != ALGORITHM or "crit" in header:
        raise ValueError("not an HS256 token")
    # hmac.new, not the one-shot hmac.digest: the one-shot releases the GIL around a 3 µs hash,
    # and taking it back behind the group-commit writer cost the event loop up to a switch
    # interval per request (docs/performance.md, "Sixth run").
    expected = hmac.new(key, f"{head}.{payload}".encode("ascii"), hashlib.sha256).digest()
    if not hmac.compare_digest(expected, _segment(signature)):
        raise ValueError("bad signature")
    claims = orjson.loads(_segment(payload))
    if not isinstance(claims, dict) or claims.get("iss") != ISSUER or "nbf" in claims:
        raise ValueError("wrong issuer")
    granted = claims.get("aud")
    if not (granted == audience or (isinstance(granted, list) and audience in granted)):
        raise ValueError("wrong audience")
    if "exp" not in claims or not all(isinstance(claims.get(name), str) for name in ("sub", "sid")):
        raise ValueError("a required claim is missing")
    if "did" in claims and not isinstance(claims["did"], str):
        raise ValueError("the device claim is not a string")
    return claims


def read_access_token(key: bytes, token: str, *, now: datetime, audience: str) -> AccessClaims:
    """Check the signature, issuer, audience and expiry (against `now`, not the wall clock)."""
    try:
        claims = _verified_claims(key, token, audience)
        expires_at = datetime.fromtimestamp(int(claims["exp"]), tz=now.tzinfo)
        subject, session_id = uuid.UUID(claims["sub"]), uuid.UUID(claims["sid"])
        device_id = uuid.UUID(claims["did"]) if "did" in claims else None
    except (ValueError, TypeError, KeyError, OverflowError, OSError, binascii.Error):
        raise NotAuthenticated("the access token is not valid", code="invalid_token") from None
    if expires_at <= now:
        raise NotAuthenticated("the access token has expired", code="token_expired")
    return AccessClaims(subject, session_id, device_id, expires_at)


def new_refresh_token() -> str:
    return "rt_" + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """Refresh tokens and service keys carry 256 random bits: SHA-256 is a sufficient verifier."""
    return hashlib.sha256(token.encode()).hexdigest()
