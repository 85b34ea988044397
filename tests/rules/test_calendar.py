"""The working-day calendar: production calendar, overrides, outage-lost days (rules.md §4)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from amina.rules.calendar import (
    MOSCOW,
    CalendarError,
    Outage,
    WorkingCalendar,
    days_lost_to_outages,
    moscow_date,
    moscow_day_span,
    moscow_instant,
    unavailable_by_day,
)


def msk(*args: int) -> datetime:
    return datetime(*args, tzinfo=MOSCOW)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 11, 1), True),  # working Saturday
        (date(2025, 11, 3), False),  # substituted day off
        (date(2025, 11, 4), False),  # Unity Day
        (date(2025, 12, 31), False),  # substituted day off
        (date(2026, 1, 9), False),  # New Year holidays
        (date(2026, 1, 12), True),
        (date(2026, 5, 11), False),  # Victory Day observed
        (date(2026, 11, 21), False),  # an ordinary Saturday
        (date(2026, 11, 20), True),  # an ordinary Friday
    ],
)
def test_production_calendar(day: date, working: bool) -> None:
    assert WorkingCalendar().is_working_day(day) is working


def test_overrides_add_and_remove_working_days() -> None:
    calendar = WorkingCalendar(overrides={date(2026, 11, 21): True, date(2026, 11, 20): False})
    assert calendar.is_working_day(date(2026, 11, 21))
    assert not calendar.is_working_day(date(2026, 11, 20))


def test_a_lost_day_never_counts_even_if_overridden_as_working() -> None:
    day = date(2026, 11, 21)
    calendar = WorkingCalendar(overrides={day: True}, lost_days=frozenset({day}))
    assert calendar.is_production_working_day(day)
    assert not calendar.is_working_day(day)


def test_working_days_after_is_strictly_after() -> None:
    calendar = WorkingCalendar()
    assert calendar.working_days_after(date(2026, 11, 20), 2) == [
        date(2026, 11, 23),
        date(2026, 11, 24),
    ]
    assert calendar.nth_working_day_after(date(2025, 12, 30), 1) == date(2026, 1, 12)


def test_working_days_after_needs_a_positive_count() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        WorkingCalendar().working_days_after(date(2026, 1, 1), 0)


def test_a_calendar_without_working_days_fails_loudly() -> None:
    start = date(2026, 1, 1)
    no_work = {start + timedelta(days=i): False for i in range(800)}
    with pytest.raises(CalendarError):
        WorkingCalendar(overrides=no_work).working_days_after(start, 1)


def test_working_days_between_counts_a_closed_range() -> None:
    assert WorkingCalendar().working_days_between(date(2025, 10, 30), date(2025, 11, 5)) == 4


def test_moscow_date_and_instant() -> None:
    assert moscow_date(datetime.fromisoformat("2026-01-14T21:30:00+00:00")) == date(2026, 1, 15)
    assert moscow_instant(date(2026, 1, 15), time(0)).isoformat() == "2026-01-15T00:00:00+03:00"
    with pytest.raises(ValueError, match="aware"):
        moscow_date(datetime(2026, 1, 1))  # noqa: DTZ001


def test_a_moscow_day_runs_from_midnight_to_midnight_moscow_time() -> None:
    starts, ends = moscow_day_span(date(2026, 3, 8))
    assert starts.isoformat() == "2026-03-08T00:00:00+03:00"
    assert ends.isoformat() == "2026-03-09T00:00:00+03:00"
    assert ends - starts == timedelta(hours=24)


def test_outages_must_be_aware_and_ordered() -> None:
    with pytest.raises(ValueError, match="aware"):
        Outage(datetime(2026, 1, 1), datetime(2026, 1, 2))  # noqa: DTZ001
    with pytest.raises(ValueError, match="end after"):
        Outage(msk(2026, 1, 2), msk(2026, 1, 1))


@pytest.mark.parametrize(
    ("starts", "ends", "lost"),
    [
        # exactly 20 hours available: the day still counts
        ((2026, 11, 23, 0), (2026, 11, 23, 4), set()),
        # a minute more down: it does not
        ((2026, 11, 23, 0), (2026, 11, 23, 4, 1), {date(2026, 11, 23)}),
        # across midnight: 3 h + 3 h, neither day loses
        ((2026, 11, 23, 21), (2026, 11, 24, 3), set()),
        # 30 hours down across midnight: both days lose
        ((2026, 11, 23, 18), (2026, 11, 25, 0), {date(2026, 11, 23), date(2026, 11, 24)}),
    ],
)
def test_days_lost_to_outages(
    starts: tuple[int, ...], ends: tuple[int, ...], lost: set[date]
) -> None:
    assert days_lost_to_outages([Outage(msk(*starts), msk(*ends))], 20) == lost


def test_overlapping_outages_are_not_counted_twice() -> None:
    outages = [
        Outage(msk(2026, 11, 23, 1), msk(2026, 11, 23, 4)),
        Outage(msk(2026, 11, 23, 2), msk(2026, 11, 23, 3)),  # inside the first
        Outage(msk(2026, 11, 23, 3, 30), msk(2026, 11, 23, 4, 30)),  # overlaps its end
    ]
    assert unavailable_by_day(outages) == {date(2026, 11, 23): timedelta(hours=3, minutes=30)}
    assert days_lost_to_outages(outages, 20) == set()


def test_separate_outages_on_one_day_add_up() -> None:
    outages = [
        Outage(msk(2026, 11, 23, 1), msk(2026, 11, 23, 3)),
        Outage(msk(2026, 11, 23, 12), msk(2026, 11, 23, 14, 30)),
    ]
    assert days_lost_to_outages(outages, 20) == {date(2026, 11, 23)}


def test_outages_given_in_utc_are_split_on_moscow_midnight() -> None:
    # 20:00 UTC on the 22nd is 23:00 Moscow: one hour on the 22nd, the rest on the 23rd.
    outage = Outage(
        datetime.fromisoformat("2026-11-22T20:00:00+00:00"),
        datetime.fromisoformat("2026-11-23T02:00:00+00:00"),
    )
    assert unavailable_by_day([outage]) == {
        date(2026, 11, 22): timedelta(hours=1),
        date(2026, 11, 23): timedelta(hours=5),
    }


def test_no_outages_lose_no_days() -> None:
    assert unavailable_by_day([]) == {}
    assert days_lost_to_outages([], 20) == frozenset()


def test_min_available_hours_is_checked() -> None:
    with pytest.raises(ValueError, match="min_available_hours"):
        days_lost_to_outages([], 0)
