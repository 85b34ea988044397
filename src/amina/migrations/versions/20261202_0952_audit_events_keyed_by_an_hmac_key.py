"""audit events keyed by an HMAC key (mac_kid)

Events written from now on carry the id of the HMAC key their link is computed with; older
events keep NULL and their unkeyed SHA-256 links, which `amina audit verify` still accepts before
the first keyed event.

Revision ID: 0952
Revises: 0951
Create Date: 2026-12-02 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0952"
down_revision: str | None = "0951"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("mac_kid", sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("mac_kid")
