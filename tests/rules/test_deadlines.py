"""Deadlines from the last monitoring instant (rules.md §4), by table and by property."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amina.rules.calendar import MOSCOW, WorkingCalendar, moscow_date
from amina.rules.deadlines import (
    DeadlinePolicy,
    Step,
    compute_deadlines,
    next_step,
    step_to_take,
)

CALENDAR = WorkingCalendar()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


# rules.md §4 examples: L → deregistration instant.
@pytest.mark.parametrize(
    ("last_monitoring", "deregistration"),
    [
        ("2026-11-16T12:00:00+03:00", "2026-11-20T00:00:00+03:00"),
        ("2026-11-20T12:00:00+03:00", "2026-11-26T00:00:00+03:00"),
        ("2025-10-30T12:00:00+03:00", "2025-11-06T00:00:00+03:00"),  # working Saturday
        ("2025-12-30T12:00:00+03:00", "2026-01-15T00:00:00+03:00"),  # New Year holidays
    ],
)
def test_rules_examples(last_monitoring: str, deregistration: str) -> None:
    assert compute_deadlines(at(last_monitoring), CALENDAR).deregistration_at == at(deregistration)


def test_issue_example_gives_all_three_instants() -> None:
    deadlines = compute_deadlines(at("2025-12-30T18:00:00+03:00"), CALENDAR)
    assert deadlines.last_monitoring_date == date(2025, 12, 30)
    assert deadlines.reminder_at.isoformat() == "2026-01-13T09:00:00+03:00"
    assert deadlines.final_warning_at.isoformat() == "2026-01-14T09:00:00+03:00"
    assert deadlines.deregistration_at.isoformat() == "2026-01-15T00:00:00+03:00"


def test_reminder_can_fall_on_a_working_saturday() -> None:
    deadlines = compute_deadlines(at("2025-10-30T12:00:00+03:00"), CALENDAR)
    assert deadlines.reminder_at == at("2025-11-01T09:00:00+03:00")
    assert deadlines.final_warning_at == at("2025-11-05T09:00:00+03:00")


def test_l_is_the_moscow_date_not_the_utc_date() -> None:
    # 22:30 UTC on Sunday is 01:30 on Monday in Moscow: L is Monday.
    deadlines = compute_deadlines(at("2026-11-15T22:30:00+00:00"), CALENDAR)
    assert deadlines.last_monitoring_date == date(2026, 11, 16)
    assert deadlines.deregistration_at == at("2026-11-20T00:00:00+03:00")


def test_an_outage_day_is_skipped_like_a_holiday() -> None:
    # L = Mon 16 Nov; Wed 18 Nov lost: W1..W4 = Tue 17, Thu 19, Fri 20, Mon 23.
    calendar = WorkingCalendar(lost_days=frozenset({date(2026, 11, 18)}))
    deadlines = compute_deadlines(at("2026-11-16T12:00:00+03:00"), calendar)
    assert deadlines.reminder_at == at("2026-11-19T09:00:00+03:00")
    assert deadlines.deregistration_at == at("2026-11-23T00:00:00+03:00")


def test_policy_is_a_setting() -> None:
    policy = DeadlinePolicy(reminder_working_day=1, reminder_time=time(12, 0))
    deadlines = compute_deadlines(at("2026-11-16T12:00:00+03:00"), CALENDAR, policy)
    assert deadlines.reminder_at == at("2026-11-17T12:00:00+03:00")


@pytest.mark.parametrize(
    "kwargs",
    [
        {"reminder_working_day": 0},
        {"reminder_working_day": 3, "reminder_time": time(10, 0)},  # after the final warning
        {"final_warning_working_day": 4, "final_warning_time": time(0, 0)},  # same instant
    ],
)
def test_policy_steps_must_keep_their_order(kwargs: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        DeadlinePolicy(**kwargs)  # type: ignore[arg-type]


def test_steps_follow_each_other() -> None:
    deadlines = compute_deadlines(at("2026-11-16T12:00:00+03:00"), CALENDAR)
    first = next_step(deadlines, None)
    assert first is not None and first.step is Step.REMINDER
    assert first.due_at == deadlines.reminder_at
    second = next_step(deadlines, Step.REMINDER)
    assert second is not None and second.step is Step.FINAL_WARNING
    third = next_step(deadlines, Step.FINAL_WARNING)
    assert third is not None and third.step is Step.DEREGISTRATION
    assert next_step(deadlines, Step.DEREGISTRATION) is None
    assert deadlines.at(Step.FINAL_WARNING) == deadlines.final_warning_at


def test_step_to_take_never_acts_early() -> None:
    deadlines = compute_deadlines(at("2026-11-16T12:00:00+03:00"), CALENDAR)
    second = timedelta(seconds=1)
    assert step_to_take(deadlines, None, deadlines.reminder_at - second) is None
    assert step_to_take(deadlines, None, deadlines.reminder_at) is Step.REMINDER
    assert step_to_take(deadlines, Step.REMINDER, deadlines.final_warning_at - second) is None
    assert step_to_take(deadlines, Step.FINAL_WARNING, deadlines.deregistration_at) is (
        Step.DEREGISTRATION
    )
    assert step_to_take(deadlines, Step.DEREGISTRATION, deadlines.deregistration_at) is None


def test_step_to_take_catches_up_with_the_latest_due_step_only() -> None:
    deadlines = compute_deadlines(at("2026-11-16T12:00:00+03:00"), CALENDAR)
    assert step_to_take(deadlines, None, deadlines.final_warning_at) is Step.FINAL_WARNING
    assert step_to_take(deadlines, None, deadlines.deregistration_at) is Step.DEREGISTRATION


# -- properties -------------------------------------------------------------------------------

instants = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2028, 12, 31),  # noqa: DTZ001
    timezones=st.just(MOSCOW),
)
lost_day_sets = st.frozensets(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 3, 1)), max_size=6
)


@settings(max_examples=300, deadline=None)
@given(instants, lost_day_sets)
def test_deregistration_is_midnight_on_a_working_day_after_exactly_three(
    last: datetime, lost: frozenset[date]
) -> None:
    calendar = WorkingCalendar(lost_days=lost)
    deadlines = compute_deadlines(last, calendar)
    deregistration = deadlines.deregistration_at.astimezone(MOSCOW)
    assert deregistration.time() == time(0, 0)
    w4 = deregistration.date()
    assert calendar.is_working_day(w4)
    l_date = moscow_date(last)
    between = calendar.working_days_between(l_date + timedelta(days=1), w4 - timedelta(days=1))
    assert between == 3
    assert deadlines.reminder_at < deadlines.final_warning_at < deadlines.deregistration_at


@settings(max_examples=300, deadline=None)
@given(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40)))
def test_deregistration_never_moves_earlier_when_l_moves_later(
    last: datetime, later_by: timedelta
) -> None:
    earlier = compute_deadlines(last, CALENDAR)
    later = compute_deadlines(last + later_by, CALENDAR)
    assert later.deregistration_at >= earlier.deregistration_at
    assert later.reminder_at >= earlier.reminder_at


@settings(max_examples=300, deadline=None)
@given(
    instants,
    lost_day_sets,
    st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 3, 1)),
    st.booleans(),
)
def test_removing_a_working_day_never_brings_deregistration_earlier(
    last: datetime, lost: frozenset[date], removed: date, by_override: bool
) -> None:
    before = WorkingCalendar(lost_days=lost)
    if by_override:
        after = WorkingCalendar(overrides={removed: False}, lost_days=lost)
    else:
        after = WorkingCalendar(lost_days=lost | {removed})
    assert (
        compute_deadlines(last, after).deregistration_at
        >= compute_deadlines(last, before).deregistration_at
    )
