"""Appointments at the MMC (rules.md §8): which slots exist, which may be booked, and when a
booking is reminded, cancellable, arrived or missed. Pure: no database, no clock.

A slot is `slot_minutes` long and starts on the grid that begins at the opening time. A day
is open when the MMC works that day: every day, or only the production calendar's working
days when the MMC is set to close on days off. Officers' closures take whole slots away.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from amina.rules.calendar import WorkingCalendar, moscow_date, moscow_instant


class BookingStatus(StrEnum):
    BOOKED = "booked"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    NO_SHOW = "no_show"
    # The MMC closed the slot; the person was told and offered others.
    CLOSED = "closed"


ACTIVE = frozenset({BookingStatus.BOOKED})


@dataclass(frozen=True)
class BookingPolicy:
    opens_at: time = time(8, 0)
    closes_at: time = time(20, 0)
    slot_minutes: int = 30
    days_ahead: int = 14
    closed_on_days_off: bool = True
    max_active: int = 3
    no_show_after: timedelta = timedelta(minutes=30)
    day_before_at: time = time(18, 0)
    soon_before: timedelta = timedelta(hours=2)

    def __post_init__(self) -> None:
        if self.slot_minutes < 1:
            raise ValueError("a slot lasts at least a minute")
        if self.closes_at <= self.opens_at:
            raise ValueError("the MMC must close after it opens")

    @property
    def slot_length(self) -> timedelta:
        return timedelta(minutes=self.slot_minutes)


@dataclass(frozen=True)
class Closure:
    """An officer's closure of [starts_at, ends_at), for one service or (None) for all."""

    starts_at: datetime
    ends_at: datetime
    service: str | None = None

    def covers(self, slot_start: datetime, slot_end: datetime, service: str) -> bool:
        if self.service is not None and self.service != service:
            return False
        return self.starts_at < slot_end and slot_start < self.ends_at


def is_open_day(day: date, calendar: WorkingCalendar, policy: BookingPolicy) -> bool:
    """The production calendar only, never outage-lost days: an outage of the report intake
    does not close the MMC."""
    return not policy.closed_on_days_off or calendar.is_production_working_day(day)


def slot_starts(day: date, calendar: WorkingCalendar, policy: BookingPolicy) -> list[datetime]:
    """Every slot of `day` (Moscow time) that ends by closing time; none on a closed day."""
    if not is_open_day(day, calendar, policy):
        return []
    starts: list[datetime] = []
    current, closing = moscow_instant(day, policy.opens_at), moscow_instant(day, policy.closes_at)
    while current + policy.slot_length <= closing:
        starts.append(current)
        current += policy.slot_length
    return starts


def last_bookable_day(now: datetime, policy: BookingPolicy) -> date:
    return moscow_date(now) + timedelta(days=policy.days_ahead)


def bookable_days(now: datetime, first: date, policy: BookingPolicy) -> list[date]:
    """The days from `first` (never before today) to the last bookable day."""
    day, last = max(first, moscow_date(now)), last_bookable_day(now, policy)
    days: list[date] = []
    while day <= last:
        days.append(day)
        day += timedelta(days=1)
    return days


def is_closed(
    slot_start: datetime, service: str, closures: Iterable[Closure], length: timedelta
) -> bool:
    return any(c.covers(slot_start, slot_start + length, service) for c in closures)


def slot_refusal(
    slot_start: datetime,
    service: str,
    *,
    now: datetime,
    calendar: WorkingCalendar,
    closures: Iterable[Closure],
    policy: BookingPolicy,
) -> str | None:
    """Why `slot_start` cannot be booked for `service` now, as an error code; None if it can."""
    if slot_start <= now:
        return "slot_in_past"
    if moscow_date(slot_start) > last_bookable_day(now, policy):
        return "too_far_ahead"
    if slot_start not in slot_starts(moscow_date(slot_start), calendar, policy):
        return "not_a_slot"
    if is_closed(slot_start, service, closures, policy.slot_length):
        return "slot_closed"
    return None


def limit_refusal(
    active_services: Sequence[str], service: str, policy: BookingPolicy
) -> str | None:
    """One active booking per service, `max_active` in all."""
    if service in active_services:
        return "already_booked"
    if len(active_services) >= policy.max_active:
        return "too_many_bookings"
    return None


def can_cancel(status: BookingStatus, slot_start: datetime, now: datetime) -> bool:
    return status in ACTIVE and now < slot_start


def can_arrive(status: BookingStatus, slot_start: datetime, now: datetime) -> bool:
    """On the booking's own Moscow day; a person marked no_show who turns up late still counts."""
    if status not in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        return False
    return moscow_date(now) == moscow_date(slot_start)


def no_show_at(slot_start: datetime, policy: BookingPolicy) -> datetime:
    return slot_start + policy.no_show_after


@dataclass(frozen=True)
class Reminders:
    day_before_at: datetime | None
    soon_at: datetime | None


def reminders(slot_start: datetime, booked_at: datetime, policy: BookingPolicy) -> Reminders:
    """The day before at 18:00 and 2 hours before; a reminder whose instant had already passed
    when the booking was made is not sent."""
    day_before = moscow_instant(moscow_date(slot_start) - timedelta(days=1), policy.day_before_at)
    soon = slot_start - policy.soon_before
    return Reminders(
        day_before if booked_at < day_before else None, soon if booked_at < soon else None
    )


def nearest_free(wanted: datetime, free: Iterable[datetime], count: int) -> list[datetime]:
    """The `count` free slots closest in time to `wanted` (earlier first on a tie)."""
    return sorted(free, key=lambda start: (abs(start - wanted), start))[:count]
