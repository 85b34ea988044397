"""location_reports partitioned by Moscow day on PostgreSQL (issue 8)

On PostgreSQL, on a database with rows: the plain table is renamed, a table partitioned by
RANGE (recorded_at) takes its name (same columns, the same id sequence, foreign keys and
indexes), with a DEFAULT partition and one partition per Moscow day from the oldest stored
report (at most `MAX_DAYS_BACK` days back) to a week ahead; the rows move over with their ids,
and the old table is dropped. The primary key becomes (id, recorded_at) and the dedupe key
(device_id, client_id, recorded_at): every unique key of a partitioned table holds its
partition key. One transaction; fine for our sizes (docs/performance.md says how to do it
online with 100 M rows).

On SQLite the table stays plain: only the dedupe key gains recorded_at, as in the model.
Both: `report_partition_folds`, the gate that makes retention fold a day partition once.

Downgrade rebuilds a plain table on PostgreSQL, and refuses with a clear message if two reports
share (device_id, client_id) at different instants (the old key could not hold both).

Revision ID: 1401
Revises: 1301
Create Date: 2026-12-02 06:20:00
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

import amina.db

revision: str = "1401"
down_revision: str | None = "1301"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MOSCOW = ZoneInfo("Europe/Moscow")
DAYS_AHEAD = 7
MAX_DAYS_BACK = 400  # older rows go to the default partition; retention folds them
COLUMNS = (
    "id, device_id, client_id, person_id, recorded_at, received_at, lat, lon, accuracy_m,"
    " source, mock, heartbeat, placement, impossible_speed, counted"
)
# (old name, name while the old table waits to be dropped)
OLD_NAMES = (
    ("pk_location_reports", "pk_location_reports_old"),
    ("uq_location_reports_device_id_client_id", "uq_location_reports_old_device_id_client_id"),
    ("ix_location_reports_person_recorded", "ix_location_reports_old_person_recorded"),
    ("ix_location_reports_received", "ix_location_reports_old_received"),
)


def _bound(day: date) -> str:
    instant = datetime.combine(day, time(0), tzinfo=MOSCOW).astimezone(UTC)
    return f"'{instant:%Y-%m-%d %H:%M:%S+00}'"


def _create_folds_table() -> None:
    op.create_table(
        "report_partition_folds",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("reports", sa.BigInteger(), nullable=False),
        sa.Column("folded_at", amina.db.UtcDateTime(), nullable=False),
        sa.Column("dropped_at", amina.db.UtcDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_report_partition_folds")),
    )


def _sqlite_dedupe_key(columns: list[str], old: str, new: str) -> None:
    with op.batch_alter_table("location_reports", schema=None) as batch_op:
        batch_op.drop_constraint(old, type_="unique")
        batch_op.create_unique_constraint(new, columns)


def upgrade() -> None:
    _create_folds_table()
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_dedupe_key(
            ["device_id", "client_id", "recorded_at"],
            "uq_location_reports_device_id_client_id",
            "uq_location_reports_device_id_client_id_recorded_at",
        )
        return
    execute = op.execute
    execute("LOCK TABLE location_reports IN ACCESS EXCLUSIVE MODE")
    execute("ALTER TABLE location_reports RENAME TO location_reports_old")
    for old, renamed in OLD_NAMES:
        execute(f"ALTER INDEX {old} RENAME TO {renamed}")
    execute(
        "CREATE TABLE location_reports (LIKE location_reports_old INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS) PARTITION BY RANGE (recorded_at)"
    )
    execute("ALTER SEQUENCE location_reports_id_seq OWNED BY location_reports.id")
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT pk_location_reports"
        " PRIMARY KEY (id, recorded_at)"
    )
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT"
        " uq_location_reports_device_id_client_id_recorded_at"
        " UNIQUE (device_id, client_id, recorded_at)"
    )
    execute(
        "CREATE INDEX ix_location_reports_person_recorded"
        " ON location_reports (person_id, recorded_at)"
    )
    execute("CREATE INDEX ix_location_reports_received ON location_reports (received_at)")
    execute(
        "ALTER TABLE location_reports_old DROP CONSTRAINT fk_location_reports_device_id_devices"
    )
    execute(
        "ALTER TABLE location_reports_old DROP CONSTRAINT fk_location_reports_person_id_persons"
    )
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT fk_location_reports_device_id_devices"
        " FOREIGN KEY (device_id) REFERENCES devices (id)"
    )
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT fk_location_reports_person_id_persons"
        " FOREIGN KEY (person_id) REFERENCES persons (id)"
    )
    execute("CREATE TABLE location_reports_default PARTITION OF location_reports DEFAULT")
    today = datetime.now(MOSCOW).date()
    oldest = op.get_bind().scalar(sa.text("SELECT min(recorded_at) FROM location_reports_old"))
    first = today
    if oldest is not None:
        first = max(min(oldest.astimezone(MOSCOW).date(), today), today - timedelta(MAX_DAYS_BACK))
    for offset in range((today - first).days + DAYS_AHEAD + 1):
        day = first + timedelta(days=offset)
        execute(
            f"CREATE TABLE location_reports_p{day:%Y%m%d} PARTITION OF location_reports"
            f" FOR VALUES FROM ({_bound(day)}) TO ({_bound(day + timedelta(days=1))})"
        )
    execute(
        f"INSERT INTO location_reports ({COLUMNS})"  # noqa: S608 (constant text)
        f" SELECT {COLUMNS} FROM location_reports_old"
    )
    execute("DROP TABLE location_reports_old")
    execute("ANALYZE location_reports")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        _sqlite_dedupe_key(
            ["device_id", "client_id"],
            "uq_location_reports_device_id_client_id_recorded_at",
            "uq_location_reports_device_id_client_id",
        )
        op.drop_table("report_partition_folds")
        return
    execute = op.execute
    execute("LOCK TABLE location_reports IN ACCESS EXCLUSIVE MODE")
    reused = op.get_bind().scalar(
        sa.text(
            "SELECT count(*) FROM (SELECT 1 FROM location_reports"
            " GROUP BY device_id, client_id HAVING count(*) > 1) AS reused"
        )
    )
    if reused:
        raise RuntimeError(
            f"cannot go back to a plain location_reports: {reused} report ids are stored at"
            " more than one instant, and the old key (device_id, client_id) cannot hold both."
            " Delete the later copies first, or stay on revision 1401."
        )
    execute("ALTER TABLE location_reports RENAME TO location_reports_parted")
    for name in (
        "pk_location_reports",
        "uq_location_reports_device_id_client_id_recorded_at",
        "ix_location_reports_person_recorded",
        "ix_location_reports_received",
    ):
        execute(f"ALTER INDEX {name} RENAME TO {name}_parted")
    execute(
        "CREATE TABLE location_reports (LIKE location_reports_parted INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS)"
    )
    execute("ALTER SEQUENCE location_reports_id_seq OWNED BY location_reports.id")
    execute(
        f"INSERT INTO location_reports ({COLUMNS})"  # noqa: S608 (constant text)
        f" SELECT {COLUMNS} FROM location_reports_parted"
    )
    execute("DROP TABLE location_reports_parted")  # its partitions go with it
    execute("ALTER TABLE location_reports ADD CONSTRAINT pk_location_reports PRIMARY KEY (id)")
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT uq_location_reports_device_id_client_id"
        " UNIQUE (device_id, client_id)"
    )
    execute(
        "CREATE INDEX ix_location_reports_person_recorded"
        " ON location_reports (person_id, recorded_at)"
    )
    execute("CREATE INDEX ix_location_reports_received ON location_reports (received_at)")
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT fk_location_reports_device_id_devices"
        " FOREIGN KEY (device_id) REFERENCES devices (id)"
    )
    execute(
        "ALTER TABLE location_reports ADD CONSTRAINT fk_location_reports_person_id_persons"
        " FOREIGN KEY (person_id) REFERENCES persons (id)"
    )
    op.drop_table("report_partition_folds")
