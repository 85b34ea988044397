"""Days with and without reports: the calendar the person sees in "My data".

Recent days come from the raw reports; older days from the daily presence records that
retention leaves behind when it deletes raw reports.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.errors import InvalidInput
from amina.monitoring.models import DailyPresence, LocationReport
from amina.rules.calendar import moscow_date, moscow_instant
from amina.rules.territory import Placement

MAX_DAYS = 92


def merge_inside(a: bool | None, b: bool | None) -> bool | None:
    """Inside the territory if any report was; outside if some were and none inside."""
    if a is True or b is True:
        return True
    if a is False or b is False:
        return False
    return None


@dataclass
class Day:
    date: date
    had_report: bool = False
    inside_territory: bool | None = None
    reports: int = 0

    def add(self, placement: Placement | None) -> None:
        self.reports += 1
        # A report in the uncertain band says nothing either way (rules.md §4).
        seen: bool | None = None
        if placement is Placement.INSIDE:
            seen = True
        elif placement is Placement.OUTSIDE:
            seen = False
        self.inside_territory = merge_inside(self.inside_territory, seen)


def fold_reports(
    reports: Sequence[tuple[datetime, bool, Placement | None]],
) -> dict[date, Day]:
    """(recorded_at, heartbeat, placement) rows → one Day per Moscow date. A heartbeat shows the
    phone was alive but is not a report of location."""
    days: dict[date, Day] = {}
    for recorded_at, heartbeat, placement in reports:
        day = days.setdefault(moscow_date(recorded_at), Day(moscow_date(recorded_at)))
        if not heartbeat:
            day.had_report = True
            day.add(placement)
    return days


def presence(session: Session, *, person_id: uuid.UUID, first: date, last: date) -> list[Day]:
    if last < first or (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(f"ask for 1 to {MAX_DAYS} days, from ≤ to", code="invalid_range")
    rows = session.execute(
        select(
            LocationReport.recorded_at, LocationReport.heartbeat, LocationReport.placement
        ).where(
            LocationReport.person_id == person_id,
            LocationReport.recorded_at >= moscow_instant(first, time(0)),
            LocationReport.recorded_at < moscow_instant(last + timedelta(days=1), time(0)),
        )
    ).all()
    days = fold_reports([(r.recorded_at, r.heartbeat, r.placement) for r in rows])
    for kept in session.scalars(
        select(DailyPresence).where(
            DailyPresence.person_id == person_id,
            DailyPresence.day >= first,
            DailyPresence.day <= last,
        )
    ):
        if kept.day not in days:
            days[kept.day] = Day(kept.day, kept.had_report, kept.inside_territory, kept.reports)
    return [
        days.get(first + timedelta(days=i), Day(first + timedelta(days=i)))
        for i in range((last - first).days + 1)
    ]
