"""Proof of registration: a token anyone can verify (rules.md §3).

Since issue 10 the token is short: 128 bits, base64url (22 characters), so the verify URL stays
under 80 characters and the QR is scannable at arm's length. It carries nothing: it is an HMAC
of a `registration_proofs` row's id under a key derived from the secret, found again by its
SHA-256. Revoking the row (or ending the registration) makes the page say so.

The older long tokens (an EdDSA JWT of the registration's id and issue time) keep verifying
until `LEGACY_TTL` after they were issued.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
import segno

from amina.keys import Keys

PROOF_AUDIENCE = "amina:proof"
LEGACY_TTL = timedelta(days=90)
SHORT_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def short_token(keys: Keys, proof_id: uuid.UUID) -> str:
    """The proof's token: 128 bits of HMAC-SHA256 of its id, base64url without padding."""
    digest = hmac.new(keys.proof_tokens, proof_id.bytes, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:16]).decode().rstrip("=")


def token_hash(token: str) -> bytes:
    return hashlib.sha256(token.encode()).digest()


def is_short(token: str) -> bool:
    return SHORT_TOKEN.fullmatch(token) is not None


def legacy_expired(claims: ProofClaims, now: datetime) -> bool:
    return now >= claims.issued_at + LEGACY_TTL


def issue(keys: Keys, registration_id: uuid.UUID, now: datetime) -> str:
    claims = {"aud": PROOF_AUDIENCE, "reg": str(registration_id), "iat": int(now.timestamp())}
    return jwt.encode(claims, keys.proof_signing, algorithm="EdDSA")


@dataclass(frozen=True)
class ProofClaims:
    registration_id: uuid.UUID
    issued_at: datetime


def read(keys: Keys, token: str) -> ProofClaims | None:
    """The claims of a genuine token, or None for anything else (forged, garbled, foreign)."""
    try:
        claims = jwt.decode(
            token,
            keys.proof_verifying,
            algorithms=["EdDSA"],
            audience=PROOF_AUDIENCE,
            options={"require": ["reg", "iat"], "verify_iat": False},
        )
        return ProofClaims(
            uuid.UUID(claims["reg"]), datetime.fromtimestamp(int(claims["iat"]), tz=UTC)
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError):
        return None


def qr_svg(content: str) -> str:
    """A standalone SVG QR code (error correction M: survives a scratched screen)."""
    buffer = io.BytesIO()
    segno.make(content, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True, title="QR"
    )
    return buffer.getvalue().decode()
