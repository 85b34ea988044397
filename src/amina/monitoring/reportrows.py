"""Writing the intake's rows: `location_reports` (one prepared single-row INSERT each for a
phone's usual few, one INSERT … SELECT FROM unnest(…) for more on PostgreSQL) and the hourly
counters of refused reports. Both run in the caller's transaction.
"""

from __future__ import annotations

import os
import threading
import uuid
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from amina.bulk import insert_rows
from amina.db import table_of
from amina.monitoring.models import LocationReport, RejectedReportCount
from amina.rawsql import DriverStatements

_R = table_of(LocationReport)

_REPORT_COLUMNS = (
    "device_id",
    "client_id",
    "person_id",
    "recorded_at",
    "received_at",
    "lat",
    "lon",
    "accuracy_m",
    "source",
    "mock",
    "heartbeat",
    "placement",
    "impossible_speed",
    "counted",
)
_DEDUPE_KEY = ["device_id", "client_id", "recorded_at"]
# At most this many reports go in one by one (a prepared single-row INSERT); a larger batch
# goes in one statement (PostgreSQL: rows as arrays; SQLite has no round trips to save).
_ONE_BY_ONE = 4


def _insert_one(dialect: str) -> Any:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (
        insert(_R)
        .values({name: bindparam(f"v_{name}", type_=_R.c[name].type) for name in _REPORT_COLUMNS})
        .on_conflict_do_nothing(index_elements=_DEDUPE_KEY)
        .returning(_R.c.device_id, _R.c.client_id)
    )


_INSERT_ONE = DriverStatements(_insert_one)


def insert_reports(
    session: Session, rows: list[dict[str, Any]]
) -> set[tuple[uuid.UUID, uuid.UUID]]:
    """Store `location_reports` rows (`intake.report_rows`, of one device or of a whole group);
    a row whose dedupe key (device, client id, recorded_at) is already stored is skipped. The
    (device id, client id) of each row stored.

    A few rows (a phone's usual report): one prepared single-row INSERT each. More, on
    PostgreSQL: one INSERT … SELECT FROM unnest(…) for all (`bulk.insert_rows`); SQLite, which
    has no round trips to save, keeps going one by one."""
    if not rows:
        return set()
    if len(rows) > _ONE_BY_ONE and session.get_bind().dialect.name == "postgresql":
        stored = insert_rows(
            session,
            LocationReport,
            rows,
            skip_conflicts_on=_DEDUPE_KEY,
            returning=("device_id", "client_id"),
        )
        return set(stored)
    statement = _INSERT_ONE.on(session)
    inserted: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for row in rows:
        found = statement.rows(session, {f"v_{name}": row[name] for name in _REPORT_COLUMNS})
        if found:
            inserted.add((found[0][0], found[0][1]))
    return inserted


_SHARDS = 16


def count_rejections(session: Session, *, now: datetime, codes: Counter[str]) -> None:
    """Add the refused reports to this hour's counters (one upsert per code), in the caller's
    transaction, so the count commits with what was accepted. The shard is the writer
    thread's: one writer never waits on another's counter row."""
    if not codes:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    hour = now.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    shard = hash((os.getpid(), threading.get_native_id())) % _SHARDS
    table = table_of(RejectedReportCount)
    statement = insert(table).values(
        [{"hour": hour, "code": code[:40], "shard": shard, "count": n} for code, n in codes.items()]
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=["hour", "code", "shard"],
            set_={"count": table.c.count + statement.excluded.count},
        )
    )
