"""The benchmark's registered population, derived from a seed so that nothing has to be stored.

Person `i` always has the same ids, the same Ed25519 device key and the same home position, so
the seeder writes them and the load generator regenerates exactly what it needs (keys, tokens)
without reading the database.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cached_property

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from amina.auth.tokens import MIGRANT_AUDIENCE, issue_access_token
from amina.keys import Keys

# A fixed, deliberately public secret (>= 32 characters) shared by the server under test and the
# load generator, which mints access tokens with it. It only ever protects scratch databases.
BENCH_SECRET_KEY = "amina-bench-secret-key-not-for-production-0123456789"  # noqa: S105
DEFAULT_SEED = "amina-bench"
# Homes are spread over central Moscow (well inside the territory, so "inside" placements).
MOSCOW_CENTRE = (55.7520, 37.6175)
HOME_SPREAD_DEG = 0.08
ACCESS_TOKEN_TTL = timedelta(seconds=900)  # the service's own maximum (access_token_ttl_s)


def _digest(seed: str, kind: str, index: int) -> bytes:
    return hashlib.sha256(f"{seed}:{kind}:{index}".encode()).digest()


def _uuid(seed: str, kind: str, index: int) -> uuid.UUID:
    return uuid.UUID(bytes=_digest(seed, kind, index)[:16], version=4)


@dataclass
class Fleet:
    """`count` registered people, one passport, one bound Android device and one session each."""

    count: int
    seed: str = DEFAULT_SEED
    secret_key: str = BENCH_SECRET_KEY
    _keys: dict[int, Ed25519PrivateKey] = field(default_factory=dict, repr=False)

    def person_id(self, index: int) -> uuid.UUID:
        return _uuid(self.seed, "person", index)

    def device_id(self, index: int) -> uuid.UUID:
        return _uuid(self.seed, "device", index)

    def session_id(self, index: int) -> uuid.UUID:
        return _uuid(self.seed, "session", index)

    def document_id(self, index: int) -> uuid.UUID:
        return _uuid(self.seed, "document", index)

    def registration_id(self, index: int) -> uuid.UUID:
        return _uuid(self.seed, "registration", index)

    def private_key(self, index: int) -> Ed25519PrivateKey:
        key = self._keys.get(index)
        if key is None:
            key = Ed25519PrivateKey.from_private_bytes(_digest(self.seed, "device-key", index))
            self._keys[index] = key
        return key

    def public_key(self, index: int) -> bytes:
        """The raw 32-byte public key (what `devices.public_key` stores). Not cached: the
        seeder derives 100,000 of them once."""
        return (
            Ed25519PrivateKey.from_private_bytes(_digest(self.seed, "device-key", index))
            .public_key()
            .public_bytes_raw()
        )

    def home(self, index: int) -> tuple[float, float]:
        digest = _digest(self.seed, "home", index)
        du = int.from_bytes(digest[:4], "big") / 2**32 - 0.5
        dv = int.from_bytes(digest[4:8], "big") / 2**32 - 0.5
        return (
            round(MOSCOW_CENTRE[0] + du * HOME_SPREAD_DEG, 6),
            round(MOSCOW_CENTRE[1] + dv * 2 * HOME_SPREAD_DEG, 6),
        )

    def passport_number(self, index: int) -> str:
        return f"BN{index:09d}"

    @cached_property
    def token_key(self) -> bytes:
        """The HS256 key the server derives from AMINA_SECRET_KEY for access tokens."""
        return Keys(self.secret_key.encode()).access_tokens

    def access_token(self, index: int, now: datetime | None = None) -> str:
        """A migrant access token for person `index`, as `amina` would issue it at sign-in."""
        return issue_access_token(
            self.token_key,
            now=now or datetime.now(UTC),
            ttl=ACCESS_TOKEN_TTL,
            audience=MIGRANT_AUDIENCE,
            subject=self.person_id(index),
            session_id=self.session_id(index),
            device_id=self.device_id(index),
        )
