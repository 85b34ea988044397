"""personal data encrypted at rest, found by keyed hashes

Names, phone numbers and birth dates of persons, and document numbers, move from plain columns
into AES-GCM ciphertext columns (`*_enc`, see amina.vault), with keyed-hash lookup columns.
Existing rows are encrypted in place; the keys come from the process's keyring (installed by
`amina migrate`) or, failing that, from the AMINA_* settings. Works on SQLite and PostgreSQL.

Revision ID: 0951
Revises: 0003
Create Date: 2026-12-02 01:00:00
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0951"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _keyring() -> Any:
    from amina import vault

    if vault.is_installed():
        return vault.current()
    from amina.config import Settings
    from amina.context import keyring_for

    return vault.install(keyring_for(Settings()))


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def _add(table: str, column: str, kind: sa.types.TypeEngine[Any]) -> None:
    # NOT NULL needs a default to add on SQLite; PostgreSQL drops it again below.
    op.add_column(table, sa.Column(column, kind, nullable=False, server_default=""))


def upgrade() -> None:
    from amina.people import ids

    bind = op.get_bind()
    for column in ("surname_enc", "given_names_enc", "birth_date_enc", "phone_enc"):
        _add("persons", column, sa.Text())
    for column in ("phone_hash", "surname_birth_hash"):
        _add("persons", column, sa.String(length=64))
    _add("documents", "number_enc", sa.Text())
    _add("documents", "number_hash", sa.String(length=64))

    persons = bind.execute(
        sa.text("SELECT id, surname, given_names, birth_date, phone FROM persons")
    ).all()
    documents = bind.execute(sa.text("SELECT id, kind, country, number FROM documents")).all()
    if persons or documents:
        keyring = _keyring()
        for row in persons:
            born = _as_date(row.birth_date)
            bind.execute(
                sa.text(
                    "UPDATE persons SET surname_enc = :s, given_names_enc = :g, "
                    "birth_date_enc = :b, phone_enc = :p, phone_hash = :ph, "
                    "surname_birth_hash = :sb WHERE id = :id"
                ),
                {
                    "id": row.id,
                    "s": keyring.encrypt("name", row.surname),
                    "g": keyring.encrypt("name", row.given_names),
                    "b": keyring.encrypt("birth-date", born.isoformat()),
                    "p": keyring.encrypt("phone", row.phone),
                    "ph": keyring.lookup("phone", ids.lookup_phone(row.phone)),
                    "sb": keyring.lookup(
                        "surname-birth-date", ids.surname_birth_lookup_text(row.surname, born)
                    ),
                },
            )
        for row in documents:
            text = ids.document_lookup_text(row.kind, row.country, row.number)
            bind.execute(
                sa.text("UPDATE documents SET number_enc = :n, number_hash = :h WHERE id = :id"),
                {
                    "id": row.id,
                    "n": keyring.encrypt("document-number", row.number),
                    "h": keyring.lookup("document", text),
                },
            )

    # Plain columns go: natively on PostgreSQL and SQLite >= 3.35 (persons is referenced by
    # foreign keys, so it is never rebuilt); documents is rebuilt to drop its unique constraint.
    for column in ("surname", "given_names", "birth_date", "phone"):
        op.drop_column("persons", column)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_kind_country_number", type_="unique")
        batch_op.drop_column("number")
        batch_op.create_unique_constraint("uq_documents_number_hash", ["number_hash"])
    op.create_index("ix_persons_phone_hash", "persons", ["phone_hash"])
    op.create_index("ix_persons_surname_birth_hash", "persons", ["surname_birth_hash"])
    if bind.dialect.name == "postgresql":
        for table, columns in (
            (
                "persons",
                (
                    "surname_enc",
                    "given_names_enc",
                    "birth_date_enc",
                    "phone_enc",
                    "phone_hash",
                    "surname_birth_hash",
                ),
            ),
            ("documents", ("number_enc", "number_hash")),
        ):
            for column in columns:
                op.alter_column(table, column, server_default=None)


def downgrade() -> None:
    bind = op.get_bind()
    op.add_column("persons", sa.Column("surname", sa.String(200), server_default=""))
    op.add_column("persons", sa.Column("given_names", sa.String(200), server_default=""))
    op.add_column("persons", sa.Column("birth_date", sa.Date(), nullable=True))
    op.add_column("persons", sa.Column("phone", sa.String(20), server_default=""))
    op.add_column("documents", sa.Column("number", sa.String(32), server_default=""))
    persons = bind.execute(
        sa.text("SELECT id, surname_enc, given_names_enc, birth_date_enc, phone_enc FROM persons")
    ).all()
    documents = bind.execute(sa.text("SELECT id, number_enc FROM documents")).all()
    if persons or documents:
        keyring = _keyring()
        for row in persons:
            bind.execute(
                sa.text(
                    "UPDATE persons SET surname = :s, given_names = :g, birth_date = :b, "
                    "phone = :p WHERE id = :id"
                ),
                {
                    "id": row.id,
                    "s": keyring.decrypt("name", row.surname_enc),
                    "g": keyring.decrypt("name", row.given_names_enc),
                    "b": date.fromisoformat(keyring.decrypt("birth-date", row.birth_date_enc)),
                    "p": keyring.decrypt("phone", row.phone_enc),
                },
            )
        for row in documents:
            bind.execute(
                sa.text("UPDATE documents SET number = :n WHERE id = :id"),
                {"id": row.id, "n": keyring.decrypt("document-number", row.number_enc)},
            )
    op.drop_index("ix_persons_surname_birth_hash", table_name="persons")
    op.drop_index("ix_persons_phone_hash", table_name="persons")
    for column in (
        "surname_enc",
        "given_names_enc",
        "birth_date_enc",
        "phone_enc",
        "phone_hash",
        "surname_birth_hash",
    ):
        op.drop_column("persons", column)
    with op.batch_alter_table("documents", schema=None) as batch_op:
        batch_op.drop_constraint("uq_documents_number_hash", type_="unique")
        batch_op.drop_column("number_enc")
        batch_op.drop_column("number_hash")
        batch_op.create_unique_constraint(
            "uq_documents_kind_country_number", ["kind", "country", "number"]
        )
