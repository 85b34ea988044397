"""Proof of registration: a signed token anyone can verify (rules.md §3).

The token carries only the registration's id and when it was issued, signed with the service's
Ed25519 key (derived from the secret), so it can sit in a URL and a QR code without carrying
personal data. The public page looks the registration up and says whether it is active now.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

import jwt
import segno

from amina.keys import Keys

PROOF_AUDIENCE = "amina:proof"


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
