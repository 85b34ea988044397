"""The officer's second factor: TOTP (RFC 6238, pyotp) and one-use recovery codes.

The TOTP secret is kept encrypted (AES-GCM, a key derived from the one secret for this purpose
only); recovery codes are kept as keyed hashes. A TOTP code is accepted at most once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import datetime

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from amina.keys import Keys

ISSUER = "Amina"
RECOVERY_CODES = 10
VALID_WINDOW = 1  # one 30 s step either side, for clocks that drift


def _key(keys: Keys, purpose: str) -> bytes:
    return hmac.new(keys.secret, f"amina:{purpose}".encode(), hashlib.sha256).digest()


def new_secret() -> str:
    return pyotp.random_base32()


def seal(keys: Keys, secret: str) -> str:
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(_key(keys, "officer-totp")).encrypt(nonce, secret.encode(), b"totp")
    return "v1." + base64.urlsafe_b64encode(nonce + sealed).decode()


def unseal(keys: Keys, sealed: str) -> str | None:
    try:
        raw = base64.urlsafe_b64decode(sealed.removeprefix("v1.").encode())
        return AESGCM(_key(keys, "officer-totp")).decrypt(raw[:12], raw[12:], b"totp").decode()
    except (InvalidTag, ValueError):
        return None


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str) -> str:
    """The enrolment QR as an SVG element (no inline style, so a strict CSP is kept)."""
    return str(segno.make(uri, error="m").svg_inline(scale=4, border=2, dark="#000", light="#fff"))


def current_code(secret: str, now: datetime) -> str:
    return str(pyotp.TOTP(secret).at(now))


def matching_step(secret: str, code: str, now: datetime, last_step: int | None) -> int | None:
    """The time step the code belongs to (within the window), or None. A step at or before
    `last_step` was already used and is refused (no replay)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    step = int(now.timestamp()) // totp.interval
    for candidate in range(step - VALID_WINDOW, step + VALID_WINDOW + 1):
        if last_step is not None and candidate <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(candidate), code):
            return candidate
    return None


def new_recovery_codes() -> list[str]:
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return [
        "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(2))
        for _ in range(RECOVERY_CODES)
    ]


def recovery_hash(keys: Keys, code: str) -> str:
    normalised = code.strip().lower().replace(" ", "")
    return hmac.new(_key(keys, "officer-recovery"), normalised.encode(), hashlib.sha256).hexdigest()
