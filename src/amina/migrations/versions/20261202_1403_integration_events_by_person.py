"""integration events by person

The console's timeline reads one person's events from other agencies; without an index that
was a scan of the whole table (issue 11).

Revision ID: 1403
Revises: 1402
Create Date: 2026-12-02 06:25:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "1403"
down_revision: str | None = "1402"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_integration_events_person",
        "integration_events",
        ["person_id", "occurred_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_integration_events_person", table_name="integration_events")
