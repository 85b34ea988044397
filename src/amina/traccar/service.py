"""Traccar Client devices: issued, authenticated by their identifier's keyed hash, revoked.

Traccar Client (OsmAnd protocol) sends only `id`: it is the sole credential, so Amina issues a
long random one (160 bits) and keeps only an HMAC of it. Revoking is the device's revoked_at.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth.models import Device, Platform
from amina.errors import NotAuthenticated, NotFound
from amina.keys import Keys
from amina.traccar.models import TraccarDevice

ID_PREFIX = "am"


@dataclass(frozen=True)
class Issued:
    device_id: uuid.UUID
    identifier: str


def identifier_hash(keys: Keys, identifier: str) -> str:
    return keys.mac(keys.device_secrets, f"traccar:{identifier}")


def create_device(session: Session, *, now: datetime, keys: Keys, person_id: uuid.UUID) -> Issued:
    # Digits and lower-case letters only: Traccar Client's id field and QR survive it.
    identifier = ID_PREFIX + secrets.token_hex(20)
    device = Device(person_id=person_id, platform=Platform.TRACCAR, model="Traccar Client")
    device.created_at = now
    session.add(device)
    session.flush()
    session.add(
        TraccarDevice(
            device_id=device.id, identifier_hash=identifier_hash(keys, identifier), created_at=now
        )
    )
    record(
        session,
        now=now,
        actor=Actor.person(person_id),
        action="device.traccar_created",
        subject_type="person",
        subject_id=person_id,
        data={"device_id": str(device.id)},
    )
    return Issued(device.id, identifier)


def authenticate(session: Session, *, keys: Keys, identifier: str) -> Device:
    device = session.scalar(
        select(Device)
        .join(TraccarDevice, TraccarDevice.device_id == Device.id)
        .where(TraccarDevice.identifier_hash == identifier_hash(keys, identifier))
    )
    if device is None or device.revoked_at is not None:
        raise NotAuthenticated("unknown or revoked device id", code="invalid_device_id")
    return device


def revoke(session: Session, *, now: datetime, person_id: uuid.UUID, device_id: uuid.UUID) -> None:
    device = session.get(Device, device_id, with_for_update=True)
    if device is None or device.person_id != person_id or device.platform is not Platform.TRACCAR:
        raise NotFound("no such Traccar device", code="device_not_found")
    if device.revoked_at is None:
        device.revoked_at = now
        record(
            session,
            now=now,
            actor=Actor.person(person_id),
            action="device.traccar_revoked",
            subject_type="person",
            subject_id=person_id,
            data={"device_id": str(device_id)},
        )
