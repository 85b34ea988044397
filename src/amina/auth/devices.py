"""Device keys: Ed25519 public keys and the signatures they make over report bodies."""

from __future__ import annotations

import base64
import binascii
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from amina.errors import InvalidInput, NotAuthenticated

PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


def b64url_decode(value: str) -> bytes:
    if not _B64URL.fullmatch(value):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url_encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).decode().rstrip("=")


_B64URL = re.compile(r"[A-Za-z0-9_=-]+")


def parse_public_key(encoded: str) -> bytes:
    """The raw 32-byte key, after checking it is a valid Ed25519 point."""
    try:
        raw = b64url_decode(encoded)
        if len(raw) != PUBLIC_KEY_BYTES:
            raise ValueError("wrong length")
        Ed25519PublicKey.from_public_bytes(raw)
    except (ValueError, binascii.Error):
        raise InvalidInput(
            "device.public_key must be a base64url raw Ed25519 public key (32 bytes)",
            code="invalid_public_key",
        ) from None
    return raw


def verify_signature(
    public_key: bytes | Ed25519PublicKey, body: bytes, signature_header: str | None
) -> None:
    """The signature must be the device key's Ed25519 signature of the exact body bytes (the
    key as stored, or already loaded: the intake's device cache keeps it loaded)."""
    check_signature(public_key, body, decode_signature(signature_header))


def decode_signature(signature_header: str | None) -> bytes:
    """The signature's 64 bytes, from the `Amina-Signature` header (base64url): the cheap half
    of `verify_signature`."""
    if not signature_header:
        raise NotAuthenticated("the Amina-Signature header is missing", code="signature_required")
    try:
        signature = b64url_decode(signature_header.strip())
    except (ValueError, binascii.Error):
        signature = b""
    if len(signature) != SIGNATURE_BYTES:
        raise _not_signed()
    return signature


def check_signature(public_key: bytes | Ed25519PublicKey, body: bytes, signature: bytes) -> None:
    """The Ed25519 check itself (about 0.1 ms; `cryptography` releases the GIL for it)."""
    try:
        if isinstance(public_key, bytes):
            public_key = Ed25519PublicKey.from_public_bytes(public_key)
        public_key.verify(signature, body)
    except (ValueError, InvalidSignature):
        raise _not_signed() from None


def _not_signed() -> NotAuthenticated:
    return NotAuthenticated("the body is not signed by this device's key", code="invalid_signature")
