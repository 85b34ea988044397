"""Registrations at the MMC address, and declared residences."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id
from amina.rules.lifecycle import Ground, RegistrationStatus
from amina.rules.residence import Accommodation
from amina.vault import EncryptedText


class Registration(Base):
    __tablename__ = "registrations"
    __table_args__ = (
        # At most one active registration per person.
        Index(
            "uq_registrations_person_active",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'active'"),
            postgresql_where=text("status = 'active'"),
        ),
        Index("ix_registrations_person", "person_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    status: Mapped[RegistrationStatus] = mapped_column(enum_column(RegistrationStatus))
    address: Mapped[str] = mapped_column(String(300))
    registered_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Registered before the person was required: usable, but without legal effect.
    test_mode: Mapped[bool] = mapped_column(default=False)
    consent_version: Mapped[str] = mapped_column(String(40))
    consent_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deregistered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    ground: Mapped[Ground | None] = mapped_column(enum_column(Ground))
    ground_detail: Mapped[str | None] = mapped_column(Text)
    # For a no_geolocation deregistration: the last monitoring instant it counted from.
    missed_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reinstated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Residence(Base):
    """A declared actual residence. The current one has `ended_on` null."""

    __tablename__ = "residences"
    __table_args__ = (Index("ix_residences_person_reported", "person_id", "reported_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    address: Mapped[str | None] = mapped_column(String(300))
    accommodation: Mapped[Accommodation] = mapped_column(enum_column(Accommodation))
    moved_in_on: Mapped[date]
    reported_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reported_late: Mapped[bool] = mapped_column(default=False)
    ended_on: Mapped[date | None]
    # "lat,lon" if the person gave where it is (issue 11: its police district), sealed.
    place: Mapped[str | None] = mapped_column("place_enc", EncryptedText("residence-place"))


class RegistrationProof(Base):
    """A short proof-of-registration token (issue 10): 128 random bits, looked up by hash.

    The token itself is never stored: it is recomputed from the row's id and the service's
    secret when the person opens their proof, and found by its SHA-256 when someone checks it.
    At most one live (unrevoked) proof per registration.
    """

    __tablename__ = "registration_proofs"
    __table_args__ = (
        Index(
            "uq_registration_proofs_live",
            "registration_id",
            unique=True,
            sqlite_where=text("revoked_at IS NULL"),
            postgresql_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    registration_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registrations.id"))
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
