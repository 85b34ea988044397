"""Keys derived from the one secret (AMINA_SECRET_KEY), one per purpose.

Deriving separate keys means a token signed for one purpose can never be replayed for another,
and every process derives the same keys without storing them anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


def _derive(secret: bytes, purpose: str) -> bytes:
    return hmac.new(secret, f"amina:{purpose}".encode(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Keys:
    secret: bytes

    @cached_property
    def access_tokens(self) -> bytes:
        return _derive(self.secret, "access-tokens")

    @cached_property
    def officer_tokens(self) -> bytes:
        return _derive(self.secret, "officer-tokens")

    @cached_property
    def codes(self) -> bytes:
        return _derive(self.secret, "one-time-codes")

    @cached_property
    def identifiers(self) -> bytes:
        return _derive(self.secret, "identifiers")

    @cached_property
    def device_secrets(self) -> bytes:
        return _derive(self.secret, "device-secrets")

    @cached_property
    def booking_tickets(self) -> bytes:
        return _derive(self.secret, "booking-tickets")

    @cached_property
    def proof_signing(self) -> Ed25519PrivateKey:
        return Ed25519PrivateKey.from_private_bytes(_derive(self.secret, "proof-of-registration"))

    @cached_property
    def proof_tokens(self) -> bytes:
        return _derive(self.secret, "proof-tokens")

    @cached_property
    def proof_verifying(self) -> Ed25519PublicKey:
        return self.proof_signing.public_key()

    def mac(self, key: bytes, message: str) -> str:
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()

    @cached_property
    def audit_chain(self) -> bytes:
        """The audit chain's HMAC key: without the secret, an edited chain can't be re-keyed."""
        return _derive(self.secret, "audit-chain")

    def field_key(self, purpose: str, version: int) -> bytes:
        """An AES-256-GCM key for one kind of personal data at rest, at one key version."""
        return _derive(self.secret, f"field:{purpose}:v{version}")

    def lookup_key(self, purpose: str, version: int) -> bytes:
        """The HMAC key of a lookup column (a keyed hash of the normalised value)."""
        return _derive(self.secret, f"lookup:{purpose}:v{version}")
