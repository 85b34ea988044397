"""The residence rule: 3 working days to report a move (rules.md §3)."""

from __future__ import annotations

from datetime import date, datetime

from amina.rules.calendar import MOSCOW, WorkingCalendar
from amina.rules.residence import (
    INSTITUTIONAL,
    Accommodation,
    owes_address,
    report_due_on,
    reported_late,
)

CALENDAR = WorkingCalendar()


def test_institutions_owe_no_address() -> None:
    assert owes_address(Accommodation.PRIVATE)
    assert len(INSTITUTIONAL) == 9
    assert all(not owes_address(kind) for kind in INSTITUTIONAL)


def test_due_date_counts_working_days() -> None:
    # Moved Fri 20 Nov 2026: Mon 23, Tue 24, Wed 25.
    assert report_due_on(date(2026, 11, 20), CALENDAR) == date(2026, 11, 25)
    # Moved Tue 30 Dec 2025: the New Year holidays do not count.
    assert report_due_on(date(2025, 12, 30), CALENDAR) == date(2026, 1, 14)


def test_reported_late_uses_the_moscow_date() -> None:
    moved = date(2026, 11, 20)
    assert not reported_late(moved, datetime(2026, 11, 25, 23, 59, tzinfo=MOSCOW), CALENDAR)
    assert reported_late(moved, datetime(2026, 11, 26, 0, 0, tzinfo=MOSCOW), CALENDAR)
    assert not reported_late(moved, datetime(2026, 11, 26, 0, 0, tzinfo=MOSCOW), CALENDAR, 4)
