"""The VAPID key pair for Web Push: generated on first use, kept in `app_keys`, so every API
process and worker signs with the same key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy.orm import Session

from amina.auth.devices import b64url_encode
from amina.db import insert_ignoring_conflict
from amina.notifications.models import AppKey

VAPID_KEY = "vapid_private_key"


@dataclass(frozen=True)
class VapidKeys:
    private_pem: str
    public_key: str  # base64url of the uncompressed P-256 point: the app's applicationServerKey


def _public(private_pem: str) -> str:
    private = serialization.load_pem_private_key(private_pem.encode(), password=None)
    if not isinstance(private, ec.EllipticCurvePrivateKey):
        raise TypeError("the stored VAPID key is not an EC key")
    point = private.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(point)


def vapid_keys(session: Session, *, now: datetime) -> VapidKeys:
    stored = session.get(AppKey, VAPID_KEY)
    if stored is None:
        pem = (
            ec.generate_private_key(ec.SECP256R1())
            .private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            .decode()
        )
        # Two processes starting at once: the first insert wins and both use its key.
        insert_ignoring_conflict(
            session, AppKey, {"name": VAPID_KEY, "value": pem, "created_at": now}, ["name"]
        )
        stored = session.get_one(AppKey, VAPID_KEY, populate_existing=True)
    return VapidKeys(stored.value, _public(stored.value))
