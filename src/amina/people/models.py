"""People as the MMC records them, and their identity documents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id
from amina.rules.eligibility import Category, Purpose


class Person(Base):
    __tablename__ = "persons"
    __table_args__ = (
        # The console's exact-match search (issue 11; amina.console.lookup).
        Index("ix_persons_phone", "phone"),
        Index("ix_persons_birth_date", "birth_date"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    surname: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date]
    citizenship: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column(String(20))
    purpose: Mapped[Purpose] = mapped_column(enum_column(Purpose))
    entry_date: Mapped[date]
    stay_days: Mapped[int | None]
    category: Mapped[Category] = mapped_column(enum_column(Category), default=Category.NONE)
    residence_permit: Mapped[bool] = mapped_column(default=False)
    language: Mapped[str] = mapped_column(String(5), default="ru")
    deceased_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DocumentKind(StrEnum):
    CARD = "card"
    PASSPORT = "passport"


class DocumentStatus(StrEnum):
    VALID = "valid"
    LOST = "lost"
    REPLACED = "replaced"


CARD_COUNTRY = "RU"  # cards are issued by the MMC; passports by the person's own state


class Document(Base):
    """A foreign citizen's card or a passport. Numbers are stored normalised (see people.ids)."""

    __tablename__ = "documents"
    __table_args__ = (
        UniqueConstraint("kind", "country", "number"),
        Index("ix_documents_person", "person_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    country: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column(String(32))
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus), default=DocumentStatus.VALID
    )
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    lost_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
