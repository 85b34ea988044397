"""The storage foundation: UTC instants, the unit of work, migrations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from sqlalchemy.exc import StatementError

from amina.calendar.models import Outage, OutageSource
from amina.db import Database, make_engine
from amina.schema import check, current_revision


def outage(starts_at: datetime) -> Outage:
    return Outage(
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=1),
        reason="test",
        source=OutageSource.DECLARED,
        created_at=starts_at,
    )


def test_instants_come_back_aware_and_in_utc(db: Database) -> None:
    moscow_noon = datetime(2026, 11, 20, 12, 0, tzinfo=timezone(timedelta(hours=3)))
    with db.unit_of_work() as session:
        session.add(outage(moscow_noon))
    with db.unit_of_work(readonly=True) as session:
        stored = session.scalars(select(Outage)).one()
    assert stored.starts_at == moscow_noon
    assert stored.starts_at.tzinfo is UTC
    assert stored.starts_at.hour == 9


def test_naive_instants_are_refused(db: Database) -> None:
    with pytest.raises(StatementError, match="naive"), db.unit_of_work() as session:
        session.add(outage(datetime(2026, 11, 20, 12, 0)))  # noqa: DTZ001
        session.flush()


def test_unit_of_work_rolls_back_on_error(db: Database) -> None:
    start = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
    with pytest.raises(RuntimeError), db.unit_of_work() as session:
        session.add(outage(start))
        session.flush()
        raise RuntimeError("boom")
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(Outage)).all() == []


def test_readonly_unit_of_work_keeps_nothing(db: Database) -> None:
    with db.unit_of_work(readonly=True) as session:
        session.add(outage(datetime(2026, 11, 20, 12, 0, tzinfo=UTC)))
        session.flush()
    with db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(Outage)).all() == []


def test_migrations_match_the_models(live_url: str) -> None:
    engine = make_engine(live_url)
    try:
        assert current_revision(engine) is not None
        check(engine)  # raises if the models and migrations disagree
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode(tmp_path: object) -> None:
    database = Database.connect(f"sqlite:///{tmp_path}/wal.sqlite3")
    with database.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL
    database.dispose()


def test_the_group_writers_database(live_url: str, db: Database) -> None:
    """On PostgreSQL the writer threads get an engine of their own, one connection per thread
    and no ping before each transaction; what they commit is what everyone reads."""
    database = Database.connect(live_url)
    writers = database.for_writers(3)
    try:
        if database.is_sqlite:
            assert writers is database
        else:
            assert writers.engine is not database.engine
            assert writers.engine.pool._pre_ping is False  # type: ignore[attr-defined]
            assert writers.engine.pool.size() == 3  # type: ignore[attr-defined]
            assert database.engine.pool._pre_ping is True  # type: ignore[attr-defined]
        with writers.unit_of_work() as session:
            session.add(outage(datetime(2026, 11, 20, 9, 0, tzinfo=UTC)))
        with database.unit_of_work(readonly=True) as session:
            assert len(session.scalars(select(Outage)).all()) == 1
    finally:
        if writers is not database:
            writers.dispose()
        database.dispose()
    # A test's database (sessions bound to one rolled-back transaction) is kept as it is.
    assert db.for_writers(3) is db
