"""Deadlines as the database's calendar knows them right now."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amina.calendar.service import calendar_of, load_calendar
from amina.config import Settings
from amina.monitoring.areas import person_calendar
from amina.monitoring.models import StepTaken
from amina.policies import deadline_policy
from amina.rules.calendar import WorkingCalendar, moscow_date
from amina.rules.deadlines import Deadlines, compute_deadlines


def deadlines_for(
    session: Session,
    settings: Settings,
    last_monitoring_at: datetime,
    person_id: uuid.UUID | None = None,
) -> Deadlines:
    """With `person_id`, the connectivity outages covering that person move them too (§9)."""
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    if person_id is not None:
        calendar = person_calendar(session, settings, person_id, last_monitoring_at, calendar)
    return compute_deadlines(last_monitoring_at, calendar, deadline_policy(settings))


class DeadlineCache:
    """Per-process deadlines by (Moscow date L, calendar fingerprint), for the intake hot path.

    The deadlines depend only on L's Moscow date and the calendar, so a report on the same day
    as the last one costs a dictionary lookup. The calendar itself (overrides and outages) is
    loaded once per fingerprint: the intake reads the fingerprint (counts and latest change
    times of both tables) in the statement it runs anyway, so an officer's change on any
    process is seen by the very next report here. Entries also expire after `ttl_s`, as a
    backstop. Staleness could only misplace `next_step_at`, which the sweep recomputes from the
    facts before it takes any step (a stale schedule makes a step late, never early).
    """

    def __init__(self, ttl_s: float = 300.0, max_entries: int = 4096) -> None:
        self.ttl_s = ttl_s
        self.max_entries = max_entries
        self._calendars: dict[tuple[object, float], tuple[float, WorkingCalendar]] = {}
        self._deadlines: dict[tuple[date, object], Deadlines] = {}
        self.loads = 0

    def calendar(
        self, session: Session, settings: Settings, fingerprint: object, clock_s: float
    ) -> WorkingCalendar:
        key = (fingerprint, settings.min_available_hours)
        cached = self._calendars.get(key)
        if cached is not None and clock_s - cached[0] < self.ttl_s:
            return cached[1]
        calendar = load_calendar(session, min_available_hours=settings.min_available_hours)
        self.loads += 1
        self._calendars = {key: (clock_s, calendar)}  # only the newest calendar is useful
        self._deadlines.clear()
        return calendar

    def deadlines(
        self,
        session: Session,
        settings: Settings,
        fingerprint: object,
        last_monitoring_at: datetime,
        clock_s: float,
    ) -> Deadlines:
        calendar = self.calendar(session, settings, fingerprint, clock_s)
        key = (moscow_date(last_monitoring_at), fingerprint)
        found = self._deadlines.get(key)
        if found is None:
            if len(self._deadlines) >= self.max_entries:
                self._deadlines.clear()
            found = self._deadlines[key] = compute_deadlines(
                last_monitoring_at, calendar, deadline_policy(settings)
            )
        return found


def last_sweep_at(session: Session) -> datetime | None:
    """When the sweep last took a step: declared outages may reach 30 days behind it."""
    return session.scalar(select(func.max(StepTaken.taken_at)))
