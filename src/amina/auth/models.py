"""Sign-in: one-time-code challenges, rate-limit hits, bound devices and their sessions."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id


class Platform(StrEnum):
    ANDROID = "android"
    IOS = "ios"
    WEB = "web"
    OWNTRACKS = "owntracks"
    TRACCAR = "traccar"
    OTHER = "other"


class Device(Base):
    """A phone (or the OwnTracks app on it) bound to a person by its Ed25519 public key."""

    __tablename__ = "devices"
    __table_args__ = (Index("ix_devices_person", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    public_key: Mapped[bytes | None] = mapped_column(LargeBinary(32))
    platform: Mapped[Platform] = mapped_column(enum_column(Platform))
    model: Mapped[str | None] = mapped_column(String(100))
    app_version: Mapped[str | None] = mapped_column(String(40))
    # OwnTracks HTTP mode authenticates with Basic credentials instead of signatures.
    owntracks_username: Mapped[str | None] = mapped_column(String(64), unique=True)
    owntracks_secret_hash: Mapped[str | None] = mapped_column(String(128))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Challenge(Base):
    """A one-time code sent for one sign-in attempt. The code itself is never stored."""

    __tablename__ = "auth_challenges"
    __table_args__ = (Index("ix_auth_challenges_identifier_created", "identifier", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # A keyed hash of the normalised identifier (card or passport + birth date): lockouts work
    # the same for known and unknown identities, and no identifier is stored in clear here.
    identifier: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("persons.id"))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[bool] = mapped_column(default=False)
    consumed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RateLimitHit(Base):
    """One counted event in a rate-limit bucket (e.g. a code sent to a phone)."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_bucket_at", "bucket", "at"),)

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    bucket: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class AuthSession(Base):
    """A signed-in device. Access tokens name it, so signing out takes effect at once."""

    __tablename__ = "auth_sessions"
    __table_args__ = (Index("ix_auth_sessions_person", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class RefreshToken(Base):
    """A rotated refresh token. Presenting a used one revokes the whole session (theft)."""

    __tablename__ = "refresh_tokens"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    session_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
