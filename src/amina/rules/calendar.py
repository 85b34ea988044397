"""The working-day calendar that every deadline counts in (rules.md §4).

A day counts when all three agree:
- the Russian production calendar (`holidays.RU`: public holidays, substituted days off and
  working Saturdays) says it is a working day, unless an officer's override says otherwise;
- the report intake was available for at least `min_available_hours` of it: days lost to
  outages are skipped, like holidays.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import holidays

MOSCOW = ZoneInfo("Europe/Moscow")
# Past this many days without a working day the calendar data must be wrong: fail loudly rather
# than loop for ever or schedule something absurd.
MAX_SEARCH_DAYS = 366


class CalendarError(ValueError):
    """The calendar cannot answer (no working day within a year)."""


@functools.cache
def _production_calendar() -> Any:
    # Built on first use, never at import; `holidays` extends itself to other years on demand.
    return holidays.country_holidays("RU", years=range(2024, 2031))


def moscow_date(instant: datetime) -> date:
    """The Moscow calendar date of an aware instant."""
    if instant.tzinfo is None:
        raise ValueError("instant must be timezone-aware")
    return instant.astimezone(MOSCOW).date()


def moscow_instant(day: date, at: time) -> datetime:
    """`at` o'clock Moscow time on `day`, as an aware datetime."""
    return datetime.combine(day, at, tzinfo=MOSCOW)


def moscow_day_span(day: date) -> tuple[datetime, datetime]:
    """The instants a Moscow date runs from and to (midnight to the next midnight)."""
    return moscow_instant(day, time(0)), moscow_instant(day + timedelta(days=1), time(0))


@dataclass(frozen=True)
class Outage:
    """An interval during which the report intake was unavailable."""

    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        if self.starts_at.tzinfo is None or self.ends_at.tzinfo is None:
            raise ValueError("outage bounds must be timezone-aware")
        if self.ends_at <= self.starts_at:
            raise ValueError("an outage must end after it starts")


def _merged(outages: Iterable[Outage]) -> Iterator[tuple[datetime, datetime]]:
    """Overlapping outages merged, so that no hour is counted as lost twice."""
    current: tuple[datetime, datetime] | None = None
    for outage in sorted(outages, key=lambda o: o.starts_at):
        if current is not None and outage.starts_at <= current[1]:
            current = (current[0], max(current[1], outage.ends_at))
            continue
        if current is not None:
            yield current
        current = (outage.starts_at, outage.ends_at)
    if current is not None:
        yield current


def unavailable_by_day(outages: Iterable[Outage]) -> dict[date, timedelta]:
    """How long the intake was down on each Moscow date touched by an outage."""
    lost: dict[date, timedelta] = {}
    for starts_at, ends_at in _merged(outages):
        day = moscow_date(starts_at)
        while moscow_instant(day, time(0)) < ends_at:
            day_start = moscow_instant(day, time(0))
            day_end = moscow_instant(day + timedelta(days=1), time(0))
            overlap = min(ends_at, day_end) - max(starts_at, day_start)
            lost[day] = lost.get(day, timedelta()) + overlap
            day += timedelta(days=1)
    return lost


def days_lost_to_outages(outages: Iterable[Outage], min_available_hours: float) -> frozenset[date]:
    """Moscow dates on which the intake was available for fewer than `min_available_hours`."""
    if not 0 < min_available_hours <= 24:
        raise ValueError("min_available_hours must be in (0, 24]")
    allowed_down = timedelta(hours=24 - min_available_hours)
    return frozenset(
        day for day, down in unavailable_by_day(outages).items() if down > allowed_down
    )


@dataclass(frozen=True)
class WorkingCalendar:
    """The production calendar, corrected by officers' overrides and by outage-lost days.

    `overrides` maps a date to True (make it a working day) or False (make it a day off), for
    years the `holidays` package does not know yet or decrees it got wrong. `lost_days` are never
    working days, whatever else says so: an outage never counts against a person.
    """

    overrides: Mapping[date, bool] = field(default_factory=dict)
    lost_days: frozenset[date] = frozenset()

    def is_production_working_day(self, day: date) -> bool:
        if day in self.overrides:
            return self.overrides[day]
        return bool(_production_calendar().is_working_day(day))

    def is_working_day(self, day: date) -> bool:
        return day not in self.lost_days and self.is_production_working_day(day)

    def working_days_after(self, day: date, count: int) -> list[date]:
        """The first `count` working days strictly after `day`."""
        if count < 1:
            raise ValueError("count must be at least 1")
        found: list[date] = []
        candidate = day
        # Days lost to outages are finite: search past the last of them, so that however long
        # an outage is, the deadline lands after it instead of failing (issue 9).
        after_lost = max((lost - day).days for lost in self.lost_days) if self.lost_days else 0
        for _ in range(max(0, after_lost) + MAX_SEARCH_DAYS * count):
            candidate += timedelta(days=1)
            if self.is_working_day(candidate):
                found.append(candidate)
                if len(found) == count:
                    return found
        raise CalendarError(f"fewer than {count} working days within a year after {day}")

    def nth_working_day_after(self, day: date, n: int) -> date:
        return self.working_days_after(day, n)[-1]

    def working_days_between(self, first: date, last: date) -> int:
        """How many working days lie in the closed range [first, last]."""
        return sum(
            self.is_working_day(first + timedelta(days=offset))
            for offset in range((last - first).days + 1)
        )
