"""short proof-of-registration tokens (issue 10)

Revision ID: 1001
Revises: 0901
Create Date: 2026-12-02 01:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import amina.db

revision: str = "1001"
down_revision: str | None = "0901"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "registration_proofs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("registration_id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("issued_at", amina.db.UtcDateTime(), nullable=False),
        sa.Column("revoked_at", amina.db.UtcDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["registration_id"],
            ["registrations.id"],
            name=op.f("fk_registration_proofs_registration_id_registrations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_registration_proofs")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_registration_proofs_token_hash")),
    )
    op.create_index(
        "uq_registration_proofs_live",
        "registration_proofs",
        ["registration_id"],
        unique=True,
        sqlite_where=sa.text("revoked_at IS NULL"),
        postgresql_where=sa.text("revoked_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("uq_registration_proofs_live", table_name="registration_proofs")
    op.drop_table("registration_proofs")
