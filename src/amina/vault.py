"""Personal data at rest: AES-256-GCM per column purpose, keyed lookups, and key rotation.

Names, phone numbers, birth dates and document numbers are stored as `<kid>.<nonce+ciphertext>`
(base64url), encrypted with a key derived from the secret for that purpose and key version
(`keys.Keys.field_key`). The key id travels with each value, so a value written under an older
key version or a retired secret still decrypts, and `amina keys rotate` can find and re-encrypt
it. Rows are found by a keyed hash (HMAC-SHA256) of the normalised value, kept in its own indexed
column; the database alone reveals neither the value nor a guessable digest of it.

The keyring is installed once per process (`install`), by `AppContext`: column types have no
other way to reach it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Sequence
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from amina.keys import Keys

FIELD_PURPOSES = ("name", "phone", "birth-date", "document-number", "residence-place")
LOOKUP_PURPOSES = ("phone", "surname-birth-date", "document")
NONCE_BYTES = 12


class KeyringError(RuntimeError):
    """No keyring installed, or a value whose key this process does not know."""


def _kid(key: bytes) -> str:
    return hmac.new(key, b"amina:key-id", hashlib.sha256).hexdigest()[:10]


class Keyring:
    """Every key this process may need: the current secret first, then retired ones, each at
    key versions 1..`version`. New values always use the current secret at `version`."""

    def __init__(self, secrets: Sequence[bytes], version: int = 1) -> None:
        if not secrets:
            raise KeyringError("a keyring needs at least one secret")
        self.version = version
        self.keys = [Keys(secret) for secret in secrets]
        self._ciphers: dict[str, tuple[str, AESGCM]] = {}
        self._current: dict[str, str] = {}
        for keys in self.keys:
            for purpose in FIELD_PURPOSES:
                for v in range(version, 0, -1):
                    key = keys.field_key(purpose, v)
                    kid = _kid(key)
                    self._ciphers.setdefault(kid, (purpose, AESGCM(key)))
                    self._current.setdefault(purpose, kid)
        self._lookup_keys = {
            purpose: [
                keys.lookup_key(purpose, v) for keys in self.keys for v in range(version, 0, -1)
            ]
            for purpose in LOOKUP_PURPOSES
        }
        self.audit_keys = {_kid(keys.audit_chain): keys.audit_chain for keys in self.keys}
        self.audit_kid = _kid(self.keys[0].audit_chain)

    # -- encryption ---------------------------------------------------------------------------

    def encrypt(self, purpose: str, plaintext: str) -> str:
        kid = self._current[purpose]
        nonce = os.urandom(NONCE_BYTES)
        sealed = self._ciphers[kid][1].encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"{kid}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def decrypt(self, purpose: str, token: str) -> str:
        kid, _, body = token.partition(".")
        entry = self._ciphers.get(kid) or _RETAINED.get(kid)
        if entry is None or entry[0] != purpose:
            raise KeyringError(f"no {purpose} key with id {kid!r}: is a retired secret missing?")
        raw = base64.urlsafe_b64decode(body)
        try:
            return entry[1].decrypt(raw[:NONCE_BYTES], raw[NONCE_BYTES:], purpose.encode()).decode()
        except InvalidTag as error:
            raise KeyringError(f"a {purpose} value failed authentication") from error

    def is_current(self, purpose: str, token: str) -> bool:
        return token.partition(".")[0] == self._current[purpose]

    # -- lookups ------------------------------------------------------------------------------

    def lookup(self, purpose: str, normalised: str) -> str:
        """The keyed hash written with a row (current key)."""
        return self.lookups(purpose, normalised)[0]

    def lookups(self, purpose: str, normalised: str) -> list[str]:
        """Every hash the value may have been stored under (so lookups work mid-rotation)."""
        return [
            hmac.new(key, normalised.encode(), hashlib.sha256).hexdigest()
            for key in self._lookup_keys[purpose]
        ]


_INSTALLED: Keyring | None = None
# Keys of keyrings installed earlier in this process: values they wrote still decrypt.
_RETAINED: dict[str, tuple[str, AESGCM]] = {}


def install(keyring: Keyring) -> Keyring:
    global _INSTALLED
    if _INSTALLED is not None:
        _RETAINED.update(_INSTALLED._ciphers)
    _INSTALLED = keyring
    return keyring


def current() -> Keyring:
    if _INSTALLED is None:
        raise KeyringError("no keyring installed: build an AppContext first")
    return _INSTALLED


def is_installed() -> bool:
    return _INSTALLED is not None


class EncryptedText(TypeDecorator[str]):
    """Text encrypted on bind and decrypted on load; the code reads plain attributes."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current().encrypt(self.purpose, value)

    def process_result_value(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else current().decrypt(self.purpose, value)


class EncryptedDate(TypeDecorator[date]):
    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: date | None, dialect: Dialect) -> str | None:
        return None if value is None else current().encrypt(self.purpose, value.isoformat())

    def process_result_value(self, value: Any, dialect: Dialect) -> date | None:
        if value is None:
            return None
        return date.fromisoformat(current().decrypt(self.purpose, value))
