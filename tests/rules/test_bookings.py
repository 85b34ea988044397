"""Booking rules (rules.md §8): slots, bookable days, refusals, limits, reminders, arrivals."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from amina.rules.bookings import (
    BookingPolicy,
    BookingStatus,
    Closure,
    bookable_days,
    can_arrive,
    can_cancel,
    is_open_day,
    limit_refusal,
    nearest_free,
    no_show_at,
    reminders,
    slot_refusal,
    slot_starts,
)
from amina.rules.calendar import MOSCOW, WorkingCalendar

POLICY = BookingPolicy(opens_at=time(9, 0), closes_at=time(11, 0), slot_minutes=30)
CALENDAR = WorkingCalendar()
FRIDAY = date(2026, 11, 20)
SATURDAY = date(2026, 11, 21)
NOW = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)  # Friday 10:00


def at(day: date, hh: int, mm: int = 0) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=MOSCOW)


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="minute"):
        BookingPolicy(slot_minutes=0)
    with pytest.raises(ValueError, match="close after"):
        BookingPolicy(opens_at=time(10), closes_at=time(9))
    assert POLICY.slot_length == timedelta(minutes=30)


def test_slots_follow_the_hours_and_the_grid() -> None:
    assert slot_starts(FRIDAY, CALENDAR, POLICY) == [
        at(FRIDAY, 9),
        at(FRIDAY, 9, 30),
        at(FRIDAY, 10),
        at(FRIDAY, 10, 30),
    ]
    # A slot that would run past closing time is not offered.
    uneven = BookingPolicy(opens_at=time(9), closes_at=time(10, 10), slot_minutes=30)
    assert slot_starts(FRIDAY, CALENDAR, uneven)[-1] == at(FRIDAY, 9, 30)


@pytest.mark.parametrize(
    ("day", "closed_on_days_off", "is_open"),
    [
        (SATURDAY, True, False),  # a plain Saturday
        (SATURDAY, False, True),  # the MMC set to work every day
        (date(2026, 1, 5), True, False),  # New Year holidays
        (date(2025, 11, 1), True, True),  # a working Saturday in the production calendar
        (FRIDAY, True, True),
    ],
)
def test_open_days_follow_the_production_calendar(
    day: date, closed_on_days_off: bool, is_open: bool
) -> None:
    policy = BookingPolicy(closed_on_days_off=closed_on_days_off)
    assert is_open_day(day, CALENDAR, policy) is is_open
    assert bool(slot_starts(day, CALENDAR, policy)) is is_open


def test_an_officers_override_opens_a_day_off() -> None:
    calendar = WorkingCalendar(overrides={SATURDAY: True})
    assert is_open_day(SATURDAY, calendar, POLICY)


def test_outage_lost_days_do_not_close_the_mmc() -> None:
    calendar = WorkingCalendar(lost_days=frozenset({FRIDAY}))
    assert is_open_day(FRIDAY, calendar, POLICY)


def test_bookable_days_run_from_today_to_the_window() -> None:
    policy = BookingPolicy(days_ahead=2)
    assert bookable_days(NOW, date(2026, 11, 1), policy) == [FRIDAY, SATURDAY, date(2026, 11, 22)]
    assert bookable_days(NOW, date(2026, 11, 22), policy) == [date(2026, 11, 22)]
    assert bookable_days(NOW, date(2026, 12, 1), policy) == []


def test_closures_cover_overlapping_slots_of_their_service() -> None:
    closure = Closure(at(FRIDAY, 9, 15), at(FRIDAY, 10), "card_issue")
    assert closure.covers(at(FRIDAY, 9), at(FRIDAY, 9, 30), "card_issue")
    assert closure.covers(at(FRIDAY, 9, 30), at(FRIDAY, 10), "card_issue")
    assert not closure.covers(at(FRIDAY, 10), at(FRIDAY, 10, 30), "card_issue")
    assert not closure.covers(at(FRIDAY, 9), at(FRIDAY, 9, 30), "medical_exam")
    everything = Closure(at(FRIDAY, 9), at(FRIDAY, 10))
    assert everything.covers(at(FRIDAY, 9), at(FRIDAY, 9, 30), "medical_exam")


@pytest.mark.parametrize(
    ("slot", "expected"),
    [
        (at(FRIDAY, 10), "slot_in_past"),  # starting right now
        (at(FRIDAY, 9), "slot_in_past"),
        (at(date(2026, 12, 5), 9), "too_far_ahead"),  # 15 days ahead
        (at(date(2026, 12, 4), 9), None),  # exactly 14 days ahead
        (at(FRIDAY, 10, 15), "not_a_slot"),
        (at(SATURDAY, 9), "not_a_slot"),
        (at(FRIDAY, 12), "not_a_slot"),
        (at(FRIDAY, 10, 30), "slot_closed"),
        (at(date(2026, 11, 23), 9), None),
    ],
)
def test_slot_refusals(slot: datetime, expected: str | None) -> None:
    closures = [Closure(at(FRIDAY, 10, 30), at(FRIDAY, 11))]
    refusal = slot_refusal(
        slot, "card_issue", now=NOW, calendar=CALENDAR, closures=closures, policy=POLICY
    )
    assert refusal == expected


@pytest.mark.parametrize(
    ("active", "expected"),
    [
        ([], None),
        (["medical_exam"], None),
        (["card_issue"], "already_booked"),
        (["medical_exam", "document_pickup", "fingerprints_photo"], "too_many_bookings"),
    ],
)
def test_one_per_service_three_in_all(active: list[str], expected: str | None) -> None:
    assert limit_refusal(active, "card_issue", BookingPolicy()) == expected


def test_cancel_until_the_start() -> None:
    start = at(FRIDAY, 10, 30)
    assert can_cancel(BookingStatus.BOOKED, start, NOW)
    assert not can_cancel(BookingStatus.BOOKED, start, start)
    assert not can_cancel(BookingStatus.CANCELLED, start, NOW)


def test_arrival_on_the_day_even_after_a_no_show() -> None:
    start = at(FRIDAY, 9)
    assert can_arrive(BookingStatus.BOOKED, start, NOW)
    assert can_arrive(BookingStatus.NO_SHOW, start, NOW)
    assert not can_arrive(BookingStatus.CANCELLED, start, NOW)
    assert not can_arrive(BookingStatus.ARRIVED, start, NOW)
    assert not can_arrive(BookingStatus.BOOKED, at(SATURDAY, 9), NOW)


def test_no_show_thirty_minutes_after_the_start() -> None:
    assert no_show_at(at(FRIDAY, 9), BookingPolicy()) == at(FRIDAY, 9, 30)


def test_reminders_the_day_before_at_18_and_two_hours_before() -> None:
    start = at(date(2026, 11, 23), 9)
    sent = reminders(start, NOW, BookingPolicy())
    assert sent.day_before_at == at(date(2026, 11, 22), 18)
    assert sent.soon_at == at(date(2026, 11, 23), 7)
    # Booked in the evening before: the 18:00 reminder has passed and is not sent.
    late = reminders(start, at(date(2026, 11, 22), 20), BookingPolicy())
    assert late.day_before_at is None and late.soon_at == at(date(2026, 11, 23), 7)
    # Booked an hour ahead: neither.
    last_minute = reminders(start, at(date(2026, 11, 23), 8), BookingPolicy())
    assert last_minute.day_before_at is None and last_minute.soon_at is None


def test_nearest_free_slots() -> None:
    wanted = at(FRIDAY, 10)
    free = [at(FRIDAY, 9), at(FRIDAY, 11), at(FRIDAY, 10, 30), at(SATURDAY, 10)]
    # 10:30 is closest; 09:00 and 11:00 tie, and the earlier one comes first.
    assert nearest_free(wanted, free, 3) == [at(FRIDAY, 10, 30), at(FRIDAY, 9), at(FRIDAY, 11)]
    assert nearest_free(wanted, [], 3) == []
