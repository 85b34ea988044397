"""location_reports without foreign keys (issue 8)

Each inserted report ran two foreign-key checks (a lookup with a row lock in `devices` and in
`persons`): 12–20 µs a row on PostgreSQL, about half of what an insert into the partitioned
table costs (docs/performance.md, "Ninth run"). The intake has already read and locked what
they would check, in the same transaction: the report's session, its device and its person's
monitoring row (`grouprepo.intake_facts_many`), and nothing deletes devices or persons.
Retention drops whole day partitions, which no key refers to.

Downgrade adds the keys back (PostgreSQL checks the stored reports against them as it does).

Revision ID: 1405
Revises: 1404
Create Date: 2026-12-08 01:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "1405"
down_revision: str | None = "1404"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = (
    ("fk_location_reports_device_id_devices", "device_id", "devices"),
    ("fk_location_reports_person_id_persons", "person_id", "persons"),
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, _, _ in KEYS:
            op.drop_constraint(name, "location_reports", type_="foreignkey")
        return
    with op.batch_alter_table("location_reports") as batch:
        for name, _, _ in KEYS:
            batch.drop_constraint(name, type_="foreignkey")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name, column, table in KEYS:
            op.create_foreign_key(name, "location_reports", table, [column], ["id"])
        return
    with op.batch_alter_table("location_reports") as batch:
        for name, column, table in KEYS:
            batch.create_foreign_key(name, table, [column], ["id"])
