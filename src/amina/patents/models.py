"""Patents and the payments that keep them valid (rules.md §7)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime, enum_column, new_id
from amina.rules.patents import PatentStatus, Region


class Patent(Base):
    __tablename__ = "patents"
    __table_args__ = (
        UniqueConstraint("series", "number"),
        # A patent is re-issued at most once.
        UniqueConstraint("reissue_of"),
        # At most one valid patent per person.
        Index(
            "uq_patents_person_valid",
            "person_id",
            unique=True,
            sqlite_where=text("status = 'valid'"),
            postgresql_where=text("status = 'valid'"),
        ),
        # The worker's lapses, by status and lapse instant; its reminders, by the next one due.
        Index("ix_patents_status_lapses_at", "status", "lapses_at"),
        Index(
            "ix_patents_next_reminder_at",
            "next_reminder_at",
            sqlite_where=text("next_reminder_at IS NOT NULL"),
            postgresql_where=text("next_reminder_at IS NOT NULL"),
        ),
        Index("ix_patents_person", "person_id"),
        Index("ix_patents_inn", "inn"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    series: Mapped[str] = mapped_column(String(10))
    number: Mapped[str] = mapped_column(String(20))
    issued_on: Mapped[date] = mapped_column(Date)
    region: Mapped[Region] = mapped_column(enum_column(Region))
    profession: Mapped[str | None] = mapped_column(String(200))
    inn: Mapped[str] = mapped_column(String(12))
    employer: Mapped[str | None] = mapped_column(String(300))
    status: Mapped[PatentStatus] = mapped_column(enum_column(PatentStatus))
    months_paid: Mapped[int] = mapped_column(Integer)
    # Derived from issued_on and months_paid, kept so that the worker can find what is due.
    valid_through: Mapped[date] = mapped_column(Date)
    lapses_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # When the worker should next look at this patent's reminders (None: none left this term).
    next_reminder_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reissue_of: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patents.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PatentPayment(Base):
    """Every `patent_payment` event, credited or not: an unknown patent, a remainder, a late or
    excess payment is kept with its flags for an officer (a refund or a decision)."""

    __tablename__ = "patent_payments"
    __table_args__ = (
        UniqueConstraint("source", "source_ref"),
        Index("ix_patent_payments_patent", "patent_id"),
        Index(
            "ix_patent_payments_flagged",
            "received_at",
            sqlite_where=text("needs_review"),
            postgresql_where=text("needs_review"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    patent_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("patents.id"))
    source: Mapped[str] = mapped_column(String(100))
    source_ref: Mapped[str] = mapped_column(String(200))
    amount_kopecks: Mapped[int] = mapped_column(BigInteger)
    paid_at: Mapped[datetime] = mapped_column(UtcDateTime)
    paid_on: Mapped[date] = mapped_column(Date)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    monthly_amount_rub: Mapped[int | None] = mapped_column(Integer)
    months_credited: Mapped[int] = mapped_column(Integer, default=0)
    remainder_kopecks: Mapped[int] = mapped_column(BigInteger, default=0)
    flags: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    needs_review: Mapped[bool] = mapped_column(default=False)
    # What the event named (series + number, or the payer's ИНН), as sent.
    reference: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
