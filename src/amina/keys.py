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
    def proof_verifying(self) -> Ed25519PublicKey:
        return self.proof_signing.public_key()

    def mac(self, key: bytes, message: str) -> str:
        return hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
