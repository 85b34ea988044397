"""Officers of the MMC and the police, who use the console and decide cases."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id


class Role(StrEnum):
    MMC_OFFICER = "mmc_officer"
    POLICE_OFFICER = "police_officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    # Reads the audit log and nothing else (issue 11).
    AUDITOR = "auditor"


class Officer(Base):
    __tablename__ = "officers"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role))
    password_hash: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The second factor (issue 11): a TOTP secret, encrypted with a key derived from the secret.
    totp_secret: Mapped[str | None] = mapped_column(String(200))
    totp_enrolled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The last TOTP time step accepted: a code is never accepted twice.
    totp_last_step: Mapped[int | None]
    password_changed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Five wrong second factors (after a right password) lock the account, whatever the IP.
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Set when the account was locked; shown (and cleared) at the next successful sign-in.
    lock_notice_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # A police district (scope); null: no district set.
    district: Mapped[str | None] = mapped_column(String(64))


class RecoveryCode(Base):
    """One-use recovery codes for the second factor, kept as keyed hashes."""

    __tablename__ = "officer_recovery_codes"
    __table_args__ = (Index("ix_officer_recovery_codes_officer", "officer_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id"))
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class OfficerSession(Base):
    __tablename__ = "officer_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    officer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # "api" (bearer tokens) or "console" (a cookie whose keyed hash is token_hash).
    kind: Mapped[str] = mapped_column(String(16), default="api", server_default="api")
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Null until the second factor was given: such a session opens no page but the next step.
    second_factor_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
