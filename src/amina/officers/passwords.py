"""Officer passwords: argon2id (argon2-cffi). Hashes from before (scrypt) keep working and are
replaced by argon2id at the next successful sign-in, as are argon2 hashes with old parameters."""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

# OWASP's first argon2id choice: 19 MiB, 2 passes, 1 lane.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
LEGACY_PREFIX = "scrypt$"


def hash_password(password: str) -> str:
    return HASHER.hash(password)


def _scrypt_matches(password: str, stored: str) -> bool:
    try:
        _, n, r, p, salt, digest = stored.split("$")
        expected = base64.b64decode(digest)
        actual = hashlib.scrypt(
            password.encode(),
            salt=base64.b64decode(salt),
            n=int(n),
            r=int(r),
            p=int(p),
            maxmem=64 * 1024 * 1024,
        )
    except ValueError:
        return False
    return hmac.compare_digest(actual, expected)


def password_matches(password: str, stored: str) -> bool:
    if stored.startswith(LEGACY_PREFIX):
        return _scrypt_matches(password, stored)
    try:
        return HASHER.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    if stored.startswith(LEGACY_PREFIX):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


@functools.cache
def decoy_hash() -> str:
    """Compared against for unknown usernames, so that timing does not reveal which exist."""
    return hash_password(secrets.token_urlsafe(16))
