"""People as the MMC records them, and their identity documents."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from amina import vault
from amina.db import Base, UtcDateTime, enum_column, new_id
from amina.people import ids
from amina.rules.eligibility import Category, Purpose
from amina.vault import EncryptedDate, EncryptedText


def _phone_hash(phone: str) -> str:
    return vault.current().lookup("phone", ids.lookup_phone(phone))


def _surname_birth_hash(surname: str, birth_date: date) -> str:
    return vault.current().lookup(
        "surname-birth-date", ids.surname_birth_lookup_text(surname, birth_date)
    )


def _document_hash(kind: str, country: str, number: str) -> str:
    return vault.current().lookup("document", ids.document_lookup_text(kind, country, number))


def _value(raw: Any) -> str:
    return raw.value if isinstance(raw, StrEnum) else str(raw)


def _default(compute: Any, *columns: str) -> Any:
    """A Python-side INSERT default computed from other columns of the row (ORM and Core)."""

    def default(context: Any) -> str:
        row = context.get_current_parameters()
        return str(compute(*(row[column] for column in columns)))

    return default


class Person(Base):
    __tablename__ = "persons"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    # Encrypted at rest (vault); found through the keyed hashes below (people.lookup).
    surname: Mapped[str] = mapped_column("surname_enc", EncryptedText("name"))
    given_names: Mapped[str] = mapped_column("given_names_enc", EncryptedText("name"))
    birth_date: Mapped[date] = mapped_column("birth_date_enc", EncryptedDate("birth-date"))
    citizenship: Mapped[str] = mapped_column(String(2))
    phone: Mapped[str] = mapped_column("phone_enc", EncryptedText("phone"))
    phone_hash: Mapped[str] = mapped_column(
        String(64), index=True, default=_default(_phone_hash, "phone_enc")
    )
    surname_birth_hash: Mapped[str] = mapped_column(
        String(64),
        index=True,
        default=_default(_surname_birth_hash, "surname_enc", "birth_date_enc"),
    )
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
    __table_args__ = (Index("ix_documents_person", "person_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    kind: Mapped[DocumentKind] = mapped_column(enum_column(DocumentKind))
    country: Mapped[str] = mapped_column(String(2))
    number: Mapped[str] = mapped_column("number_enc", EncryptedText("document-number"))
    # The keyed hash of (kind, country, number): unique, so a number is recorded once.
    number_hash: Mapped[str] = mapped_column(
        String(64),
        unique=True,
        default=_default(
            lambda kind, country, number: _document_hash(_value(kind), country, number),
            "kind",
            "country",
            "number_enc",
        ),
    )
    status: Mapped[DocumentStatus] = mapped_column(
        enum_column(DocumentStatus), default=DocumentStatus.VALID
    )
    issued_on: Mapped[date | None]
    expires_on: Mapped[date | None]
    lost_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


@event.listens_for(Person, "before_update")
def _rehash_person(_mapper: Mapper[Any], _connection: Connection, person: Person) -> None:
    """Keep the lookup columns in step when an ORM update changes what they hash."""
    person.phone_hash = _phone_hash(person.phone)
    person.surname_birth_hash = _surname_birth_hash(person.surname, person.birth_date)


@event.listens_for(Document, "before_update")
def _rehash_document(_mapper: Mapper[Any], _connection: Connection, document: Document) -> None:
    document.number_hash = _document_hash(_value(document.kind), document.country, document.number)
