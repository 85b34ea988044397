"""Violation cases, reinstatement reviews, and the registry of controlled persons (РКЛ)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime, enum_column, new_id
from amina.rules.lifecycle import CaseKind, CaseOutcome, CaseStatus, RegistryStatus


class Case(Base):
    __tablename__ = "cases"
    __table_args__ = (
        # One reinstatement review per deregistration, however much late evidence arrives.
        UniqueConstraint("registration_id", "kind"),
        # One lapse review per patent (rules.md §7).
        UniqueConstraint("patent_id", "kind"),
        Index("ix_cases_status_opened", "status", "opened_at"),
        Index("ix_cases_person", "person_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    # None for a case about a patent, not a registration.
    registration_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registrations.id"))
    patent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patents.id"))
    kind: Mapped[CaseKind] = mapped_column(enum_column(CaseKind))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus))
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # The absence in question: from the last monitoring instant to the deregistration.
    window_start: Mapped[datetime | None] = mapped_column(UtcDateTime)
    window_end: Mapped[datetime | None] = mapped_column(UtcDateTime)
    evidence: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    outcome: Mapped[CaseOutcome | None] = mapped_column(enum_column(CaseOutcome))
    decision_reason: Mapped[str | None] = mapped_column(Text)


class RegistryEntry(Base):
    __tablename__ = "registry_entries"
    __table_args__ = (
        # A person is proposed or listed at most once at a time.
        Index(
            "uq_registry_entries_person_open",
            "person_id",
            unique=True,
            sqlite_where=text("status IN ('proposed', 'listed')"),
            postgresql_where=text("status IN ('proposed', 'listed')"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    case_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("cases.id"))
    status: Mapped[RegistryStatus] = mapped_column(enum_column(RegistryStatus))
    basis: Mapped[str] = mapped_column(Text)
    proposed_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("officers.id"))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime)
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decision_reason: Mapped[str | None] = mapped_column(Text)
    removed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    removal_reason: Mapped[str | None] = mapped_column(Text)
