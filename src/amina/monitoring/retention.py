"""Retention (docs/privacy.md): raw reports older than the setting are folded into daily
presence records (date, had a report, inside the territory) and then deleted; short-lived
security records are purged once they can no longer matter."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, time, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from amina.auth.models import Challenge, RateLimitHit
from amina.config import Settings
from amina.db import Database
from amina.monitoring.models import DailyPresence, LocationReport, ServiceHeartbeat
from amina.monitoring.presence import fold_reports, merge_inside
from amina.rules.calendar import moscow_date, moscow_instant
from amina.rules.territory import Placement

# How long the short-lived records are kept: long enough for every rule that reads them.
RATE_LIMIT_HITS = timedelta(days=2)  # the longest window is one hour
CHALLENGES = timedelta(days=7)  # the lockout window is two hours
HEARTBEATS = timedelta(days=400)  # outages can be re-derived for a year


def report_cutoff(now: datetime, settings: Settings) -> datetime:
    """Whole Moscow days older than the retention period: midnight that many days ago."""
    first_kept = moscow_date(now) - timedelta(days=settings.raw_report_retention_days)
    return moscow_instant(first_kept, time(0))


def _fold_batch(session: Session, cutoff: datetime, batch_size: int) -> int:
    rows = session.execute(
        select(
            LocationReport.id,
            LocationReport.person_id,
            LocationReport.recorded_at,
            LocationReport.heartbeat,
            LocationReport.placement,
        )
        .where(LocationReport.recorded_at < cutoff)
        .order_by(LocationReport.id)
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
    session.execute(delete(LocationReport).where(LocationReport.id.in_([r.id for r in rows])))
    return len(rows)


def apply_retention(
    db: Database, *, now: datetime, settings: Settings, batch_size: int = 5000
) -> Counter[str]:
    counts: Counter[str] = Counter()
    cutoff = report_cutoff(now, settings)
    while True:
        with db.unit_of_work() as session:
            folded = _fold_batch(session, cutoff, batch_size)
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
