"""Day partitions of `location_reports` on PostgreSQL (issue 8; docs/performance.md).

The table is partitioned by RANGE (recorded_at), one partition per Moscow day
([00:00 MSK, next 00:00 MSK) as UTC instants), plus a DEFAULT partition that catches whatever
falls outside the created days, so intake never fails for a missing partition.

- `ensure_partitions` (the worker, sweep leader only) creates today and the days ahead. Each
  day is made as a plain table and then ATTACHed: `CREATE TABLE … PARTITION OF` would take an
  ACCESS EXCLUSIVE lock on the parent, ATTACH takes SHARE UPDATE EXCLUSIVE (inserts go on), plus
  ACCESS EXCLUSIVE on the default partition while it checks that none of its rows belong to the
  new day. Rows of that day already in the default partition are moved first.
- `fold_partition` and `drop_partition` (retention): a whole old day is folded into daily
  presence with one set-based statement, in the same transaction as its `report_partition_folds`
  row (the exactly-once gate), and only then dropped.

Every DDL statement waits at most `LOCK_TIMEOUT` for its lock: statements queue behind a
waiting lock request, so a long wait would stall intake; a job that gives up retries on its
next run, and days are made a week ahead. PostgreSQL does not allow DETACH … CONCURRENTLY while
a default partition exists, so old days are dropped while attached (a brief ACCESS EXCLUSIVE
on the parent) rather than detached first; dropping a detached table would lock `persons` and
`devices` instead (its foreign keys' triggers live on them).

Names and bounds come from dates, never from input.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from amina.db import Database
from amina.rules.calendar import moscow_date, moscow_day_span

log = logging.getLogger("amina.partitions")

PARENT = "location_reports"
DEFAULT = "location_reports_default"
PREFIX = "location_reports_p"
LOCK_TIMEOUT = "500ms"
_NAME = re.compile(rf"^{PREFIX}(\d{{8}})$")


def partition_name(day: date) -> str:
    return f"{PREFIX}{day:%Y%m%d}"


def day_of(name: str) -> date | None:
    """The Moscow day a partition holds, from its name (None: not a day partition)."""
    match = _NAME.match(name)
    return datetime.strptime(match.group(1), "%Y%m%d").replace(tzinfo=UTC).date() if match else None


def bounds(day: date) -> tuple[str, str]:
    """The partition bounds of a Moscow day, as UTC timestamptz literals."""
    start, end = moscow_day_span(day)
    return tuple(  # type: ignore[return-value]
        f"'{instant.astimezone(UTC):%Y-%m-%d %H:%M:%S+00}'" for instant in (start, end)
    )


def is_partitioned(session: Session) -> bool:
    if session.get_bind().dialect.name != "postgresql":
        return False
    return bool(
        session.scalar(
            text(
                "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table"
                " WHERE partrelid = to_regclass(:parent))"
            ),
            {"parent": PARENT},
        )
    )


def day_partitions(session: Session) -> dict[date, str]:
    """The attached day partitions, by Moscow day."""
    names = session.scalars(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
            " WHERE i.inhparent = to_regclass(:parent)"
        ),
        {"parent": PARENT},
    )
    return {day: name for name in names if (day := day_of(name)) is not None}


def _lock_timeout(session: Session) -> None:
    session.execute(text(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'"))


def create_day_partition(session: Session, day: date) -> int:
    """Create and attach the partition of `day`; returns how many rows it took over from the
    default partition. The caller's transaction makes it all or nothing."""
    name, (start, end) = partition_name(day), bounds(day)
    in_range = f"recorded_at >= {start} AND recorded_at < {end}"
    _lock_timeout(session)
    session.execute(
        text(
            f"CREATE TABLE {name} (LIKE {PARENT} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
            " INCLUDING INDEXES)"
        )
    )
    # The same range as a CHECK lets ATTACH skip scanning the new table.
    session.execute(text(f"ALTER TABLE {name} ADD CONSTRAINT {name}_range CHECK ({in_range})"))
    moved = 0
    if session.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT} WHERE {in_range})")):  # noqa: S608
        # No insert may slip into the default partition between the move and the attach.
        session.execute(text(f"LOCK TABLE {DEFAULT} IN ACCESS EXCLUSIVE MODE"))
        result = session.execute(
            text(
                f"WITH moved AS (DELETE FROM {DEFAULT} WHERE {in_range} RETURNING *)"  # noqa: S608
                f" INSERT INTO {name} SELECT * FROM moved"
            )
        )
        moved = int(getattr(result, "rowcount", 0) or 0)
    session.execute(
        text(f"ALTER TABLE {PARENT} ATTACH PARTITION {name} FOR VALUES FROM ({start}) TO ({end})")
    )
    session.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range"))
    return moved


def ensure_partitions(db: Database, *, now: datetime, days_ahead: int) -> Counter[str]:
    """Make sure today and the next `days_ahead` Moscow days have a partition (idempotent).
    A day that cannot be made now (a lock not granted in time) is left for the next run."""
    counts: Counter[str] = Counter()
    with db.unit_of_work(readonly=True) as session:
        if not is_partitioned(session):
            return counts
        existing = day_partitions(session)
    today = moscow_date(now)
    for offset in range(days_ahead + 1):
        day = today + timedelta(days=offset)
        if day in existing:
            continue
        try:
            with db.unit_of_work() as session:
                counts["rows_moved_from_default"] += create_day_partition(session, day)
        except DBAPIError as error:
            log.warning(
                "partition of %s not made now (%s); the next run tries again", day, error.orig
            )
            counts["partitions_deferred"] += 1
        else:
            counts["partitions_created"] += 1
    return counts


_FOLD = """
WITH per_person AS (
    SELECT person_id,
           bool_or(NOT heartbeat) AS had_report,
           CASE WHEN bool_or(NOT heartbeat AND placement = 'inside') THEN true
                WHEN bool_or(NOT heartbeat AND placement = 'outside') THEN false END
               AS inside_territory,
           count(*) FILTER (WHERE NOT heartbeat) AS reports,
           count(*) AS stored
    FROM {partition}
    GROUP BY person_id
), kept AS (
    INSERT INTO daily_presence (person_id, day, had_report, inside_territory, reports)
    SELECT person_id, CAST(:day AS date), had_report, inside_territory, reports FROM per_person
    ON CONFLICT (person_id, day) DO UPDATE SET
        had_report = daily_presence.had_report OR excluded.had_report,
        reports = daily_presence.reports + excluded.reports,
        inside_territory = CASE
            WHEN daily_presence.inside_territory OR excluded.inside_territory THEN true
            WHEN NOT daily_presence.inside_territory OR NOT excluded.inside_territory THEN false
        END
)
SELECT coalesce(sum(stored), 0) FROM per_person
"""


def fold_partition(session: Session, day: date, *, now: datetime) -> int | None:
    """Fold a whole day partition into daily presence, as `presence.fold_reports` does row by
    row (one Day per person and date; heartbeats make a day without a report; a report inside
    the territory wins over one outside, uncertain says nothing); returns the rows folded.
    None if it was folded already: the gate row is written first, in the same transaction."""
    gate = session.execute(
        text(
            "INSERT INTO report_partition_folds (day, reports, folded_at)"
            " VALUES (:day, 0, :now) ON CONFLICT (day) DO NOTHING RETURNING day"
        ),
        {"day": day, "now": now},
    ).first()
    if gate is None:
        return None
    reports = int(
        session.scalar(text(_FOLD.format(partition=partition_name(day))), {"day": day}) or 0
    )
    session.execute(
        text("UPDATE report_partition_folds SET reports = :reports WHERE day = :day"),
        {"reports": reports, "day": day},
    )
    return reports


def is_folded(session: Session, day: date) -> bool:
    return bool(
        session.scalar(
            text("SELECT EXISTS (SELECT 1 FROM report_partition_folds WHERE day = :day)"),
            {"day": day},
        )
    )


def drop_partition(session: Session, day: date, *, now: datetime) -> None:
    """Drop a folded day partition (the caller has checked `is_folded` in a committed state)."""
    _lock_timeout(session)
    session.execute(text(f"DROP TABLE IF EXISTS {partition_name(day)}"))
    session.execute(
        text("UPDATE report_partition_folds SET dropped_at = :now WHERE day = :day"),
        {"now": now, "day": day},
    )
