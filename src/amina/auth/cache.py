"""A per-process cache of what never changes about a session or an OwnTracks device.

A session's person, device and device key, and an OwnTracks device's person and secret hash,
are fixed when they are created, so they can be cached for as long as the process lives. What
does change, revocation, is never cached: the intake checks `revoked_at` of the session and the
device in the same statement that writes the reports (`monitoring/hotpath.py`), inside the
transaction, so a sign-out or a revocation on any process is refused by the very next request
on every process.

Checking an access token's signature is cached too (by the token string, for as long as the
token is valid): the claims of a token cannot change.
"""

from __future__ import annotations

import contextlib
import hmac
import uuid
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.auth import tokens
from amina.auth.models import AuthSession, Device, Platform
from amina.errors import NotAuthenticated
from amina.keys import Keys

K = TypeVar("K")
V = TypeVar("V")


class Lru(Generic[K, V]):
    """A small bounded LRU (thread-safe enough under the GIL for a cache: a lost update only
    costs a second lookup)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is not None:
            with contextlib.suppress(KeyError):  # evicted by another thread meanwhile
                self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        while len(self._items) > self.size:
            try:
                self._items.popitem(last=False)
            except KeyError:
                break

    def discard(self, key: K) -> None:
        self._items.pop(key, None)


@dataclass(frozen=True)
class KnownDevice:
    """Who a session (or an OwnTracks device) speaks for. `session_id` is None for OwnTracks."""

    person_id: uuid.UUID
    device_id: uuid.UUID
    session_id: uuid.UUID | None
    public_key: bytes | None
    platform: Platform
    secret_hash: str | None = None
    # The device key, loaded once (`cryptography` parses the raw bytes on every load).
    verifier: Ed25519PublicKey | None = field(default=None, compare=False, repr=False)


class DeviceCache:
    def __init__(self, keys: Keys, size: int = 200_000) -> None:
        self.keys = keys
        self._tokens: Lru[str, tokens.AccessClaims] = Lru(size)
        self._sessions: Lru[uuid.UUID, KnownDevice] = Lru(size)
        self._owntracks: Lru[str, KnownDevice] = Lru(size)
        self.misses = 0

    def claims(self, bearer: str, now: datetime) -> tokens.AccessClaims:
        """The token's claims; its signature is checked once, its expiry on every call."""
        claims = self._tokens.get(bearer)
        if claims is None:
            claims = tokens.read_access_token(
                self.keys.access_tokens, bearer, now=now, audience=tokens.MIGRANT_AUDIENCE
            )
            self._tokens.put(bearer, claims)
        elif claims.expires_at <= now:
            raise NotAuthenticated("the access token has expired", code="token_expired")
        return claims

    def cached_session(self, session_id: uuid.UUID) -> KnownDevice | None:
        return self._sessions.get(session_id)

    def load_session(self, session: Session, claims: tokens.AccessClaims) -> KnownDevice:
        """Read a session's fixed facts (revocation is checked later, in the write)."""
        self.misses += 1
        row = session.execute(
            select(AuthSession.person_id, Device.id, Device.public_key, Device.platform)
            .join(Device, Device.id == AuthSession.device_id)
            .where(AuthSession.id == claims.session_id)
        ).one_or_none()
        if row is None or row[0] != claims.subject:
            raise NotAuthenticated("the access token is not valid", code="invalid_token")
        verifier = None
        if row[2] is not None:
            with contextlib.suppress(ValueError):  # a bad stored key fails each signature check
                verifier = Ed25519PublicKey.from_public_bytes(row[2])
        known = KnownDevice(row[0], row[1], claims.session_id, row[2], row[3], verifier=verifier)
        self._sessions.put(claims.session_id, known)
        return known

    def cached_owntracks(self, username: str) -> KnownDevice | None:
        return self._owntracks.get(username)

    def load_owntracks(self, session: Session, username: str) -> KnownDevice | None:
        self.misses += 1
        row = session.execute(
            select(
                Device.person_id, Device.id, Device.platform, Device.owntracks_secret_hash
            ).where(Device.owntracks_username == username)
        ).one_or_none()
        if row is None:
            return None
        known = KnownDevice(row[0], row[1], None, None, row[2], secret_hash=row[3])
        self._owntracks.put(username, known)
        return known

    def check_owntracks(self, known: KnownDevice | None, password: str) -> KnownDevice:
        """Compare the password's MAC in constant time, even for an unknown username."""
        given = self.keys.mac(self.keys.device_secrets, password)
        expected = known.secret_hash if known is not None else None
        if not hmac.compare_digest(given, expected or "0" * len(given)) or known is None:
            raise NotAuthenticated("wrong OwnTracks credentials", code="invalid_credentials")
        return known
