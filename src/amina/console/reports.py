"""A person's location reports as the timeline and the map read them: a few columns as plain
tuples (no ORM object per report), and older days folded in SQL into one row per Moscow day.

30 days at one report every 15 minutes is 2,880 rows: listed one by one they are both slow to
render and unreadable. The timeline lists the last `RAW_HOURS` (and any day the officer
unfolds) report by report, and each earlier day as one row: how many, when the first and last
were recorded, how many inside, the accuracy range and the flags.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import cast

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from amina.monitoring.models import LocationReport, ReportSource
from amina.rules.calendar import moscow_date, moscow_day_span, moscow_instant
from amina.rules.territory import Placement

RAW_HOURS = 24
RAW_LIMIT = 3000  # at most this many reports listed one by one
_reports = LocationReport.__table__.c
# (recorded_at, heartbeat, source, placement, accuracy_m, mock, impossible_speed)
RawReport = tuple[datetime, bool, ReportSource, Placement | None, float | None, bool, bool]
# (recorded_at, lat, lon, accuracy_m, mock, impossible_speed, placement)
Point = tuple[datetime, float, float, float | None, bool, bool, Placement | None]


@dataclass(frozen=True)
class DayFold:
    """The reports (or heartbeats) of one Moscow day, folded into one timeline row."""

    day: date
    heartbeat: bool
    count: int
    first_at: datetime
    last_at: datetime
    inside: int
    min_accuracy_m: float | None
    max_accuracy_m: float | None
    mock: int
    impossible_speed: int


def _in_any(spans: Sequence[tuple[datetime, datetime]]) -> ColumnElement[bool]:
    return or_(*(and_(_reports.recorded_at >= a, _reports.recorded_at < b) for a, b in spans))


def raw(
    session: Session,
    person_id: uuid.UUID,
    *,
    since: datetime,
    now: datetime,
    unfolded: Sequence[date] = (),
    with_heartbeats: bool = True,
    fold: bool = True,
) -> list[RawReport]:
    """Reports listed one by one, newest first: those after `now - RAW_HOURS` and those of the
    unfolded days (within the window that starts at `since`), or all of them if not `fold`."""
    start = max(since, now - timedelta(hours=RAW_HOURS)) if fold else since
    spans = [(start, now + timedelta(days=1))]
    spans += [moscow_day_span(day) for day in unfolded]
    query = (
        select(
            _reports.recorded_at,
            _reports.heartbeat,
            _reports.source,
            _reports.placement,
            _reports.accuracy_m,
            _reports.mock,
            _reports.impossible_speed,
        )
        .where(_reports.person_id == person_id, _reports.recorded_at >= since)
        .where(_in_any(spans))
        .order_by(_reports.recorded_at.desc())
        .limit(RAW_LIMIT)
    )
    if not with_heartbeats:
        query = query.where(_reports.heartbeat.is_(False))
    return cast(list[RawReport], session.execute(query).all())


def folded(
    session: Session,
    person_id: uuid.UUID,
    *,
    since: datetime,
    now: datetime,
    unfolded: Sequence[date] = (),
    with_heartbeats: bool = True,
) -> list[DayFold]:
    """One row per Moscow day (and report or heartbeat) from `since` up to `now - RAW_HOURS`,
    the unfolded days left out: counted in SQL, whatever the number of reports."""
    until = now - timedelta(hours=RAW_HOURS)
    if until <= since:
        return []
    days: list[date] = []
    day = moscow_date(since)
    while moscow_instant(day, time()) < until:
        if day not in unfolded:
            days.append(day)
        day += timedelta(days=1)
    if not days:
        return []
    # Portable day buckets: the Moscow midnights are computed here (zoneinfo), not by SQL.
    bucket = case(
        *((_reports.recorded_at >= moscow_day_span(d)[0], d.toordinal()) for d in reversed(days)),
        else_=None,
    ).label("bucket")
    inside = func.sum(case((_reports.placement == Placement.INSIDE, 1), else_=0))
    query = (
        select(
            bucket,
            _reports.heartbeat,
            func.count(),
            func.min(_reports.recorded_at),
            func.max(_reports.recorded_at),
            inside,
            func.min(_reports.accuracy_m),
            func.max(_reports.accuracy_m),
            func.sum(case((_reports.mock, 1), else_=0)),
            func.sum(case((_reports.impossible_speed, 1), else_=0)),
        )
        .where(
            _reports.person_id == person_id,
            _reports.recorded_at >= since,
            _reports.recorded_at < until,
        )
        .group_by(bucket, _reports.heartbeat)
    )
    if unfolded:
        query = query.where(not_(_in_any([moscow_day_span(d) for d in unfolded])))
    if not with_heartbeats:
        query = query.where(_reports.heartbeat.is_(False))
    return [
        DayFold(date.fromordinal(b), bool(hb), n, first, last, int(ins), lo, hi, int(m), int(s))
        for b, hb, n, first, last, ins, lo, hi, m, s in session.execute(query)
        if b is not None
    ]


def points(session: Session, person_id: uuid.UUID, *, since: datetime) -> list[Point]:
    """Located reports (no heartbeats) since `since`, oldest first, for the map."""
    query = (
        select(
            _reports.recorded_at,
            _reports.lat,
            _reports.lon,
            _reports.accuracy_m,
            _reports.mock,
            _reports.impossible_speed,
            _reports.placement,
        )
        .where(
            _reports.person_id == person_id,
            _reports.recorded_at >= since,
            _reports.heartbeat.is_(False),
            _reports.lat.is_not(None),
            _reports.lon.is_not(None),
        )
        .order_by(_reports.recorded_at)
    )
    return cast(list[Point], session.execute(query).all())
