"""Retention (docs/privacy.md): raw reports older than the setting are folded into daily
presence records (date, had a report, inside the territory) and then deleted; short-lived
security records are purged once they can no longer matter.

On PostgreSQL, where `location_reports` is partitioned by Moscow day (monitoring/partitions.py),
each old day partition is folded in one transaction (gated by `report_partition_folds`) and then
dropped whole; only the default partition's old rows are folded and deleted row by row, each
batch's fold and delete committed together. A re-run after a crash anywhere gives the same
daily presence."""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import MetaData, Table, delete, select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from amina.auth.models import Challenge, RateLimitHit
from amina.config import Settings
from amina.db import Database, table_of
from amina.monitoring import partitions
from amina.monitoring.models import DailyPresence, LocationReport, ServiceHeartbeat
from amina.monitoring.presence import fold_reports, merge_inside
from amina.rules.calendar import moscow_date, moscow_day_span, moscow_instant
from amina.rules.territory import Placement

log = logging.getLogger("amina.retention")
_REPORTS = table_of(LocationReport)
# The default partition, read and deleted from directly: a folded day partition waiting to be
# dropped must never be folded again by the row path.
_DEFAULT = _REPORTS.to_metadata(MetaData(), name=partitions.DEFAULT)

# How long the short-lived records are kept: long enough for every rule that reads them.
RATE_LIMIT_HITS = timedelta(days=2)  # the longest window is one hour
CHALLENGES = timedelta(days=7)  # the lockout window is two hours
HEARTBEATS = timedelta(days=400)  # outages can be re-derived for a year


def report_cutoff(now: datetime, settings: Settings) -> datetime:
    """Whole Moscow days older than the retention period: midnight that many days ago."""
    first_kept = moscow_date(now) - timedelta(days=settings.raw_report_retention_days)
    return moscow_instant(first_kept, time(0))


def droppable_days(days: list[date], *, now: datetime, settings: Settings) -> list[date]:
    """Day partitions wholly before the cutoff, and old enough that intake refuses any report
    for them (max_report_age_days), so no row can arrive between their fold and their drop."""
    first_kept = moscow_date(report_cutoff(now, settings))
    refused_before = now - timedelta(days=settings.max_report_age_days)
    return sorted(
        day for day in days if day < first_kept and moscow_day_span(day)[1] <= refused_before
    )


def _retire_partition(db: Database, day: date, now: datetime) -> Counter[str]:
    """Fold (once, committed), then drop. A crash between the two leaves a folded partition,
    which the next run only drops; until then, presence reads its raw rows (the same days)."""
    counts: Counter[str] = Counter()
    with db.unit_of_work() as session:
        folded = partitions.fold_partition(session, day, now=now)
    if folded is not None:
        counts["reports_folded"] += folded
        counts["partitions_folded"] += 1
    try:
        with db.unit_of_work() as session:
            partitions.drop_partition(session, day, now=now)
    except DBAPIError as error:
        log.warning(
            "partition of %s folded, not dropped yet (%s); the next run drops it", day, error.orig
        )
        counts["partitions_drop_deferred"] += 1
    else:
        counts["partitions_dropped"] += 1
    return counts


def _fold_batch(session: Session, source: Table, cutoff: datetime, batch_size: int) -> int:
    rows = session.execute(
        select(
            source.c.id,
            source.c.person_id,
            source.c.recorded_at,
            source.c.heartbeat,
            source.c.placement,
        )
        .where(source.c.recorded_at < cutoff)
        .order_by(source.c.id)
        .limit(batch_size)
    ).all()
    by_person: dict[uuid.UUID, list[tuple[datetime, bool, Placement | None]]] = {}
    for row in rows:
        by_person.setdefault(row.person_id, []).append(
            (row.recorded_at, row.heartbeat, row.placement)
        )
    for person_id, reports in by_person.items():
        for day in fold_reports(reports).values():
            kept = session.get(DailyPresence, (person_id, day.date))
            if kept is None:
                kept = DailyPresence(
                    person_id=person_id,
                    day=day.date,
                    had_report=False,
                    inside_territory=None,
                    reports=0,
                )
                session.add(kept)
            kept.had_report = kept.had_report or day.had_report
            kept.reports += day.reports
            kept.inside_territory = merge_inside(kept.inside_territory, day.inside_territory)
    session.execute(delete(source).where(source.c.id.in_([r.id for r in rows])))
    return len(rows)


def apply_retention(
    db: Database, *, now: datetime, settings: Settings, batch_size: int = 5000
) -> Counter[str]:
    counts: Counter[str] = Counter()
    cutoff = report_cutoff(now, settings)
    with db.unit_of_work(readonly=True) as session:
        partitioned = partitions.is_partitioned(session)
        days = list(partitions.day_partitions(session)) if partitioned else []
    for day in droppable_days(days, now=now, settings=settings):
        counts.update(_retire_partition(db, day, now))
    source = _DEFAULT if partitioned else _REPORTS
    while True:
        with db.unit_of_work() as session:
            folded = _fold_batch(session, source, cutoff, batch_size)
        counts["reports_folded"] += folded
        if folded < batch_size:
            break
    with db.unit_of_work() as session:
        for model, column, age, name in (
            (RateLimitHit, RateLimitHit.at, RATE_LIMIT_HITS, "rate_limit_hits"),
            (Challenge, Challenge.created_at, CHALLENGES, "challenges"),
            (ServiceHeartbeat, ServiceHeartbeat.minute, HEARTBEATS, "heartbeats"),
        ):
            result = session.execute(delete(model).where(column < now - age))
            counts[f"{name}_purged"] = max(0, getattr(result, "rowcount", 0) or 0)
    return counts
