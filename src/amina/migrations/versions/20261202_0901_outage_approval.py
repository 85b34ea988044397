"""outages longer than the limit wait for a second supervisor's approval

Revision ID: 0901
Revises: 1201
Create Date: 2026-12-02 01:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import amina.db

revision: str = "0901"
down_revision: str | None = "1201"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "status",
                sa.Enum("active", "proposed", name="outagestatus", native_enum=False, length=32),
                server_default="active",
                nullable=False,
            )
        )
        batch_op.add_column(sa.Column("approved_by", sa.Uuid(), nullable=True))
        batch_op.add_column(sa.Column("approved_at", amina.db.UtcDateTime(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_outages_approved_by_officers"), "officers", ["approved_by"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outages", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outages_approved_by_officers"), type_="foreignkey")
        batch_op.drop_column("approved_at")
        batch_op.drop_column("approved_by")
        batch_op.drop_column("status")
