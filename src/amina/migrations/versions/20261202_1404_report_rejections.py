"""report rejections: refused reports counted by hour and code

The console's "refused reports by reason" dashboard (issue 11). The intake adds to these
counters in the same transaction as what it accepts; the refused reports are not kept.

Revision ID: 1404
Revises: 1403
Create Date: 2026-12-02 07:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import amina.db

revision: str = "1404"
down_revision: str | None = "1403"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_rejections",
        sa.Column("hour", amina.db.UtcDateTime(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("hour", "code", "shard", name=op.f("pk_report_rejections")),
    )


def downgrade() -> None:
    op.drop_table("report_rejections")
