"""OwnTracks HTTP mode: the real OwnTracks app reports in the background with Basic credentials.

Each OwnTracks install is a device of its own, with a random username and password (shown once,
stored as an HMAC). Its reports go through the same intake as the app's.
"""

from __future__ import annotations

import base64
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth.models import Device, Platform
from amina.auth.sessions import Principal
from amina.errors import NotAuthenticated
from amina.keys import Keys

OWNTRACKS_NAMESPACE = uuid.UUID("5b0b1a47-3f51-4f4f-9b6a-0e5c8b9c2a10")


@dataclass(frozen=True)
class OwnTracksCredentials:
    device_id: uuid.UUID
    username: str
    password: str


def _secret_hash(keys: Keys, password: str) -> str:
    return keys.mac(keys.device_secrets, password)


def create_device(
    session: Session, *, now: datetime, keys: Keys, person_id: uuid.UUID
) -> OwnTracksCredentials:
    username = "ot-" + secrets.token_hex(8)
    password = secrets.token_urlsafe(24)
    device = Device(
        person_id=person_id,
        platform=Platform.OWNTRACKS,
        model="OwnTracks",
        owntracks_username=username,
        owntracks_secret_hash=_secret_hash(keys, password),
        created_at=now,
    )
    session.add(device)
    session.flush()
    record(
        session,
        now=now,
        actor=Actor.person(person_id),
        action="device.owntracks_created",
        subject_type="person",
        subject_id=person_id,
        data={"device_id": str(device.id)},
    )
    return OwnTracksCredentials(device.id, username, password)


def configuration(
    credentials: OwnTracksCredentials, publish_url: str, *, ping_minutes: int = 120
) -> dict[str, Any]:
    """The OwnTracks .otrc configuration: HTTP mode, significant-changes monitoring, and a
    ping every `ping_minutes` while the phone is still."""
    return {
        "_type": "configuration",
        "mode": 3,
        "url": publish_url,
        "auth": True,
        "username": credentials.username,
        "password": credentials.password,
        "deviceId": "amina",
        "tid": "am",
        "monitoring": 1,
        "locatorDisplacement": 200,
        "locatorInterval": 900,
        "ping": ping_minutes,
        "ignoreInaccurateLocations": 0,
        "pubExtendedData": True,
        "cleanSession": False,
    }


def configuration_url(config: dict[str, Any]) -> str:
    """owntracks:///config?inline=…: scanning it configures the app in one step."""
    encoded = base64.b64encode(json.dumps(config, separators=(",", ":")).encode()).decode()
    return f"owntracks:///config?inline={encoded}"


def authenticate(session: Session, *, keys: Keys, username: str, password: str) -> Principal:
    device = session.scalar(select(Device).where(Device.owntracks_username == username))
    expected = device.owntracks_secret_hash if device is not None else None
    # Compare even for an unknown username, so timing does not tell which usernames exist.
    given = _secret_hash(keys, password)
    if (
        not hmac.compare_digest(given, expected or "0" * len(given))
        or device is None
        or (device.revoked_at is not None)
    ):
        raise NotAuthenticated("wrong OwnTracks credentials", code="invalid_credentials")
    return Principal(device.person_id, device.id, device.id, None, device.platform)


def report_id(device_id: uuid.UUID, tst: int) -> uuid.UUID:
    """OwnTracks has no report id: (device, tst) is the idempotency key."""
    return uuid.uuid5(OWNTRACKS_NAMESPACE, f"{device_id}:{tst}")
