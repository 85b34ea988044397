"""MQTT accounts for OwnTracks devices, and keeping the broker's password file in step."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.auth.models import Device
from amina.config import Settings
from amina.keys import Keys
from amina.mqtt import broker
from amina.mqtt.models import MqttAccount


@dataclass(frozen=True)
class MqttSettings:
    """What the broker and its clients need to know (from Settings, see `mqtt_settings`)."""

    host: str
    port: int
    public_host: str
    public_port: int
    ingest_username: str
    files: broker.BrokerFiles


def ingest_password(keys: Keys) -> str:
    """The subscriber's own broker password: derived from the secret, stored nowhere."""
    return keys.mac(keys.device_secrets, "mqtt-ingest")


def add_account(
    session: Session, *, now: datetime, device_id: uuid.UUID, username: str, password: str
) -> str:
    """Give an OwnTracks device the same credentials over MQTT; returns its topic."""
    session.add(
        MqttAccount(
            device_id=device_id,
            username=username,
            broker_hash=broker.broker_hash(password),
            created_at=now,
        )
    )
    session.flush()
    return broker.device_topic(username)


def device_for_username(session: Session, username: str) -> Device | None:
    """The live device a topic's user part names (None if unknown or revoked)."""
    device = session.scalar(
        select(Device)
        .join(MqttAccount, MqttAccount.device_id == Device.id)
        .where(MqttAccount.username == username)
    )
    return device if device is not None and device.revoked_at is None else None


def active_entries(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(
        select(MqttAccount.username, MqttAccount.broker_hash)
        .join(Device, Device.id == MqttAccount.device_id)
        .where(Device.revoked_at.is_(None))
    )
    return [(row.username, row.broker_hash) for row in rows]


def sync_broker(session: Session, *, keys: Keys, mqtt: MqttSettings) -> bool:
    """Rewrite the password file from the database; SIGHUP the broker if it changed.

    Called outside any write transaction (a read-only unit of work): file I/O and signals never
    happen while rows are locked.
    """
    entries = active_entries(session)
    # The ingest account's hash is salted deterministically, so an unchanged database writes
    # an unchanged file and the broker is not reloaded for nothing.
    password = ingest_password(keys)
    salt = bytes.fromhex(keys.mac(keys.device_secrets, "mqtt-ingest-salt"))[:12]
    entries.append((mqtt.ingest_username, broker.broker_hash(password, salt=salt)))
    changed = broker.write_passwords(mqtt.files, entries)
    if changed:
        broker.reload(mqtt.files)
    return changed


def mqtt_settings(settings: Settings) -> MqttSettings:
    public_host = settings.mqtt_public_host or urlsplit(settings.public_base_url).hostname
    return MqttSettings(
        host=settings.mqtt_host,
        port=settings.mqtt_port,
        public_host=public_host or settings.mqtt_host,
        public_port=settings.mqtt_public_port or settings.mqtt_port,
        ingest_username=settings.mqtt_ingest_username,
        files=broker.BrokerFiles(settings.mqtt_broker_dir or settings.data_dir / "mosquitto"),
    )


def owntracks_mqtt_configuration(
    *, mqtt: MqttSettings, username: str, password: str, ping_minutes: int
) -> dict[str, Any]:
    """The OwnTracks .otrc for MQTT mode, tuned for the battery.

    - `monitoring: 1` is significant-changes mode: the phone reports when it has moved about
      `locatorDisplacement` metres, at most every `locatorInterval` seconds, and otherwise sleeps.
    - `ping` makes a still phone report anyway every `ping` minutes (a still phone is not a
      silent phone): far inside the three working days, far from draining the battery.
    - QoS 1 and a persistent session: what the phone sends while offline is queued on it and
      delivered once it is back.
    """
    return {
        "_type": "configuration",
        "mode": 0,
        "host": mqtt.public_host,
        "port": mqtt.public_port,
        "auth": True,
        "username": username,
        "password": password,
        "deviceId": "amina",
        "tid": "am",
        "tls": False,
        "cleanSession": False,
        "clientId": f"{username}-amina",
        "keepalive": 900,
        "pubQos": 1,
        "sub": False,
        "monitoring": 1,
        "locatorDisplacement": 200,
        "locatorInterval": 900,
        "locatorPriority": 1,
        "ping": ping_minutes,
        "ignoreInaccurateLocations": 0,
        "pubExtendedData": True,
    }
