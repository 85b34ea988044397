"""Declared outages have bounds; long ones need four eyes; the calendar never fails on them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from amina.rules.calendar import Outage, WorkingCalendar, days_lost_to_outages
from amina.rules.deadlines import compute_deadlines
from amina.rules.outages import OutageBounds, OutageRefused, OutageVerdict, check_declared
from amina.rules.residence import reported_late

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
BOUNDS = OutageBounds(max_days=7)


def check(starts: datetime, ends: datetime, last_sweep: datetime | None = NOW) -> OutageVerdict:
    return check_declared(starts, ends, now=NOW, last_sweep_at=last_sweep, bounds=BOUNDS)


def test_a_short_recent_outage_is_accepted() -> None:
    assert check(NOW - timedelta(hours=5), NOW - timedelta(hours=1)) is OutageVerdict.ACCEPTED
    assert check(NOW, NOW + timedelta(days=1)) is OutageVerdict.ACCEPTED


def test_a_longer_one_needs_a_second_supervisor() -> None:
    verdict = check(NOW - timedelta(days=8), NOW - timedelta(minutes=1))
    assert verdict is OutageVerdict.NEEDS_APPROVAL


@pytest.mark.parametrize(
    ("starts", "ends", "code"),
    [
        (NOW, NOW, "invalid_outage"),
        (NOW, NOW + timedelta(days=1, seconds=1), "outage_too_far_ahead"),
        (
            datetime(2020, 1, 1, tzinfo=UTC),
            datetime(2030, 1, 1, tzinfo=UTC),
            "outage_too_far_ahead",
        ),
        (NOW - timedelta(days=31), NOW - timedelta(days=30), "outage_too_old"),
    ],
)
def test_outages_outside_their_bounds_are_refused(
    starts: datetime, ends: datetime, code: str
) -> None:
    with pytest.raises(OutageRefused) as refused:
        check(starts, ends)
    assert refused.value.code == code


def test_the_past_bound_follows_the_last_sweep() -> None:
    """A worker stopped for ten days: the outage may reach 30 days behind its last sweep."""
    starts = NOW - timedelta(days=39)
    assert (
        check(starts, starts + timedelta(days=1), NOW - timedelta(days=10))
        is OutageVerdict.ACCEPTED
    )
    with pytest.raises(OutageRefused):
        check(starts, starts + timedelta(days=1), None)  # no sweep yet: 30 days behind now


def test_a_ten_year_outage_moves_deadlines_past_it_instead_of_failing() -> None:
    """Issue 9, defect 5: CalendarError after an outage from 2020 to 2030."""
    lost = days_lost_to_outages(
        [Outage(datetime(2026, 1, 1, tzinfo=UTC), datetime(2028, 1, 1, tzinfo=UTC))], 20.0
    )
    calendar = WorkingCalendar(lost_days=lost)
    deadlines = compute_deadlines(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), calendar)
    assert deadlines.deregistration_at.year == 2028
    assert reported_late(date(2026, 3, 2), datetime(2026, 3, 10, tzinfo=UTC), calendar) is False


def test_a_report_is_not_late_when_no_allowance_can_be_computed() -> None:
    start = date(2026, 1, 1)
    no_work = WorkingCalendar(overrides={start + timedelta(days=i): False for i in range(1200)})
    assert reported_late(start, datetime(2027, 6, 1, tzinfo=UTC), no_work) is False
