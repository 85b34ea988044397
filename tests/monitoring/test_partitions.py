"""`location_reports` partitioned by Moscow day on PostgreSQL (issue 8): the migration keeps
existing rows, a day without a partition lands in the default one, the worker makes missing
days (idempotently), and retention folds whole old days once, then drops them."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from amina.auth.models import Device, Platform
from amina.clock import FixedClock
from amina.config import Settings
from amina.context import AppContext
from amina.db import Database, table_of
from amina.jobs.worker import Worker
from amina.monitoring import partitions
from amina.monitoring.models import DailyPresence, LocationReport, ReportPartitionFold
from amina.monitoring.presence import fold_reports
from amina.monitoring.retention import apply_retention, report_cutoff
from amina.rules.calendar import MOSCOW, moscow_date
from amina.rules.territory import Placement
from amina.schema import alembic_config, upgrade
from tests.conftest import TEST_SECRET, DatabaseFactory
from tests.support.seed import seed_registered

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)
REPORTS = table_of(LocationReport)


@pytest.fixture
def pg(database_factory: DatabaseFactory) -> Iterator[Database]:
    if not database_factory.is_postgres:
        pytest.skip("location_reports is partitioned on PostgreSQL only; SQLite keeps a table")
    db = Database.connect(database_factory.create())
    yield db
    db.dispose()


def settings() -> Settings:
    return Settings(env="development", secret_key=TEST_SECRET)


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def person_and_device(db: Database, count: int = 1) -> list[tuple[uuid.UUID, uuid.UUID]]:
    people = seed_registered(db, settings(), count=count, last_monitoring_at=NOW)
    pairs = [(person, uuid.uuid4()) for person in people]
    with db.unit_of_work() as session:
        session.execute(
            insert(Device),
            [
                {"id": device, "person_id": person, "platform": Platform.ANDROID, "created_at": NOW}
                for person, device in pairs
            ],
        )
    return pairs


def report(
    pair: tuple[uuid.UUID, uuid.UUID],
    at: datetime,
    *,
    placement: Placement | None = Placement.INSIDE,
    heartbeat: bool = False,
    client_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    return {
        "person_id": pair[0],
        "device_id": pair[1],
        "client_id": client_id or uuid.uuid4(),
        "recorded_at": at,
        "received_at": at,
        "lat": None if heartbeat else 55.75,
        "lon": None if heartbeat else 37.61,
        "accuracy_m": None if heartbeat else 15.0,
        "source": "gps",
        "mock": False,
        "heartbeat": heartbeat,
        "placement": None if heartbeat else placement,
        "impossible_speed": False,
        "counted": False,
    }


def store(db: Database, rows: list[dict[str, Any]]) -> list[int]:
    """As intake does: ON CONFLICT on the dedupe key DO NOTHING; the ids that were inserted."""
    with db.unit_of_work() as session:
        statement = (
            pg_insert(REPORTS)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["device_id", "client_id", "recorded_at"])
            .returning(REPORTS.c.id)
        )
        return list(session.scalars(statement))


def where_stored(db: Database) -> dict[int, str]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(text("SELECT id, tableoid::regclass::text FROM location_reports"))
        return {row[0]: row[1] for row in rows}


def presence_rows(db: Database) -> set[tuple[Any, ...]]:
    with db.unit_of_work(readonly=True) as session:
        return {
            (p.person_id, p.day, p.had_report, p.inside_territory, p.reports)
            for p in session.scalars(select(DailyPresence))
        }


def test_the_migration_moves_existing_rows_into_day_partitions(pg: Database) -> None:
    engine: Engine = pg.engine
    downgrade(engine, "1301")  # back to a plain table (the downgrade works too)
    with pg.unit_of_work(readonly=True) as session:
        assert not partitions.is_partitioned(session)
    today = datetime.now(MOSCOW).replace(hour=12, minute=0, second=0, microsecond=0)
    pair = person_and_device(pg)[0]
    rows = [report(pair, today - timedelta(days=days)) for days in (40, 3, 1, 0)]
    rows.append(report(pair, today - timedelta(days=1), heartbeat=True))
    with pg.unit_of_work() as session:
        old_ids = list(session.scalars(insert(REPORTS).values(rows).returning(REPORTS.c.id)))

    upgrade(engine)

    stored = where_stored(pg)
    assert sorted(stored) == sorted(old_ids)  # every row, with its id
    first_day = moscow_date(today - timedelta(days=40))
    for row_id, row in zip(old_ids, rows, strict=True):
        assert stored[row_id] == partitions.partition_name(moscow_date(row["recorded_at"]))
    with pg.unit_of_work(readonly=True) as session:
        assert partitions.is_partitioned(session)
        days = partitions.day_partitions(session)
    assert min(days) == first_day and max(days) == moscow_date(today) + timedelta(days=7)
    assert len(days) == 41 + 7
    # The dedupe key still holds: a resend is refused, a new report takes the next id.
    assert store(pg, [rows[1]]) == []
    (new_id,) = store(pg, [report(pair, today)])
    assert new_id > max(old_ids)


def test_the_downgrade_refuses_ids_the_old_key_cannot_hold(pg: Database) -> None:
    pair = person_and_device(pg)[0]
    reused = uuid.uuid4()
    # A different report under a used id, at another instant: now a report of its own.
    first, second = store(
        pg,
        [
            report(pair, NOW, client_id=reused),
            report(pair, NOW + timedelta(hours=1), client_id=reused),
        ],
    )
    assert first != second
    with pytest.raises(RuntimeError, match="more than one instant"):
        downgrade(pg.engine, "1301")
    with pg.unit_of_work(readonly=True) as session:
        assert partitions.is_partitioned(session)  # nothing changed
    assert len(where_stored(pg)) == 2


def test_a_report_for_a_day_without_partition_lands_in_default(pg: Database) -> None:
    pair = person_and_device(pg)[0]
    (row_id,) = store(pg, [report(pair, NOW)])  # the template made days from the real today
    assert where_stored(pg)[row_id] == partitions.DEFAULT


def test_the_worker_makes_missing_days_and_takes_theirs_from_default(pg: Database) -> None:
    pair = person_and_device(pg)[0]
    stray, later = store(pg, [report(pair, NOW), report(pair, NOW + timedelta(days=5))])

    counts = partitions.ensure_partitions(pg, now=NOW, days_ahead=3)

    assert counts["partitions_created"] == 4 and counts["rows_moved_from_default"] == 1
    stored = where_stored(pg)
    assert stored[stray] == partitions.partition_name(moscow_date(NOW))
    assert stored[later] == partitions.DEFAULT  # beyond the days made
    # The day's bounds are Moscow midnights: 23:59 MSK is the same day, 00:00 the next.
    end_of_day = NOW.replace(hour=23, minute=59)
    next_midnight = NOW.replace(hour=0) + timedelta(days=1)
    late, next_day = store(pg, [report(pair, end_of_day), report(pair, next_midnight)])
    stored = where_stored(pg)
    assert stored[late] == partitions.partition_name(moscow_date(NOW))
    assert stored[next_day] == partitions.partition_name(moscow_date(NOW) + timedelta(days=1))
    # Idempotent: nothing left to make, nothing changes.
    assert partitions.ensure_partitions(pg, now=NOW, days_ahead=3)["partitions_created"] == 0
    with pg.unit_of_work(readonly=True) as session:
        days = partitions.day_partitions(session)
    assert {moscow_date(NOW) + timedelta(days=n) for n in range(4)} <= set(days)


def test_the_worker_job_makes_the_week_ahead(pg: Database) -> None:
    context = AppContext(settings=settings(), db=pg, clock=FixedClock(NOW))
    worker = Worker(context)
    first = worker.partitions()
    assert first["partitions_created"] == 8  # today and 7 days ahead
    assert worker.partitions() == {}  # within the hour: not even looked at
    worker.leader.release()


def _old_day_reports(pairs: list[tuple[uuid.UUID, uuid.UUID]], day: date) -> list[dict[str, Any]]:
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=MOSCOW)
    a, b, c = pairs
    return [
        report(a, noon, placement=Placement.INSIDE),
        report(a, noon + timedelta(hours=1), placement=Placement.OUTSIDE),
        report(b, noon, placement=Placement.OUTSIDE),
        report(b, noon + timedelta(hours=2), placement=Placement.UNCERTAIN),
        report(c, noon, heartbeat=True),  # alive, no location: a day without a report
        report(c, noon.replace(hour=0, minute=0), placement=Placement.UNCERTAIN),
    ]


def _expected(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
    """What the row-by-row fold (the SQLite path, as before partitioning) makes of the rows."""
    expected: set[tuple[Any, ...]] = set()
    for person in {r["person_id"] for r in rows}:
        mine = [
            (r["recorded_at"], r["heartbeat"], r["placement"])
            for r in rows
            if r["person_id"] == person
        ]
        for day in fold_reports(mine).values():
            expected.add((person, day.date, day.had_report, day.inside_territory, day.reports))
    return expected


def _seed_for_retention(pg: Database) -> tuple[list[dict[str, Any]], list[int], list[date]]:
    pairs = person_and_device(pg, 3)
    old_days = [moscow_date(NOW) - timedelta(days=n) for n in (33, 32)]
    for day in old_days:
        with pg.unit_of_work() as session:
            partitions.create_day_partition(session, day)
    old = [row for day in old_days for row in _old_day_reports(pairs, day)]
    # An old day without a partition: its rows sit in the default partition.
    in_default = _old_day_reports(pairs, moscow_date(NOW) - timedelta(days=40))
    recent = [report(pairs[0], NOW - timedelta(days=2))]
    store(pg, old + in_default)
    kept = store(pg, recent)
    return old + in_default, kept, old_days


def test_retention_folds_whole_old_days_then_drops_them(pg: Database) -> None:
    folded_rows, kept, old_days = _seed_for_retention(pg)

    counts = apply_retention(pg, now=NOW, settings=settings())

    assert counts["partitions_folded"] == 2 and counts["partitions_dropped"] == 2
    assert counts["reports_folded"] == len(folded_rows)
    assert presence_rows(pg) == _expected(folded_rows)
    assert sorted(where_stored(pg)) == kept  # old rows gone from default too
    with pg.unit_of_work(readonly=True) as session:
        assert not set(old_days) & set(partitions.day_partitions(session))
        ledger = {f.day: f for f in session.scalars(select(ReportPartitionFold))}
    assert sorted(ledger) == old_days
    assert all(f.reports == 6 and f.dropped_at is not None for f in ledger.values())
    # Again: nothing to fold, the same presence.
    again = apply_retention(pg, now=NOW, settings=settings())
    assert again["reports_folded"] == 0 and again["partitions_dropped"] == 0
    assert presence_rows(pg) == _expected(folded_rows)


def test_a_crash_between_fold_and_drop_gives_the_same_presence(pg: Database) -> None:
    folded_rows, kept, old_days = _seed_for_retention(pg)
    # The first run folds a day and dies before dropping it.
    with pg.unit_of_work() as session:
        assert partitions.fold_partition(session, old_days[0], now=NOW) == 6
    with pg.unit_of_work(readonly=True) as session:
        assert old_days[0] in partitions.day_partitions(session)

    counts = apply_retention(pg, now=NOW, settings=settings())

    assert counts["partitions_folded"] == 1  # only the other day; the first is just dropped
    assert counts["partitions_dropped"] == 2
    assert presence_rows(pg) == _expected(folded_rows)
    assert sorted(where_stored(pg)) == kept


def test_a_day_still_open_to_intake_is_not_dropped(pg: Database) -> None:
    """Past the retention cutoff, but reports for it are still accepted (max_report_age_days
    longer than retention): folding it now could lose a report that arrives after the fold."""
    pair = person_and_device(pg)[0]
    old_day = moscow_date(report_cutoff(NOW, settings())) - timedelta(days=1)
    with pg.unit_of_work() as session:
        partitions.create_day_partition(session, old_day)
    store(pg, [report(pair, datetime(old_day.year, old_day.month, old_day.day, 12, tzinfo=MOSCOW))])
    longer_intake = Settings(env="development", secret_key=TEST_SECRET, max_report_age_days=40)

    counts = apply_retention(pg, now=NOW, settings=longer_intake)

    assert counts["partitions_dropped"] == 0 and len(where_stored(pg)) == 1
    assert apply_retention(pg, now=NOW, settings=settings())["partitions_dropped"] == 1
    assert where_stored(pg) == {}


def test_bounds_are_moscow_midnights() -> None:
    assert partitions.bounds(date(2026, 11, 20)) == (
        "'2026-11-19 21:00:00+00'",
        "'2026-11-20 21:00:00+00'",
    )
    assert partitions.day_of(partitions.partition_name(date(2026, 1, 2))) == date(2026, 1, 2)
    assert partitions.day_of(partitions.DEFAULT) is None
    assert datetime(2026, 11, 19, 21, tzinfo=UTC).astimezone(MOSCOW).hour == 0
