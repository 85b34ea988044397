"""A device's MQTT account on the broker (OwnTracks' default mode)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime


class MqttAccount(Base):
    """The broker's password entry for an OwnTracks device.

    `broker_hash` is Mosquitto's own salted PBKDF2 format, so the password file can be
    rewritten from the database at any time; the password itself is never stored. A revoked
    device (devices.revoked_at) is left out of the file.
    """

    __tablename__ = "mqtt_accounts"

    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    broker_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
