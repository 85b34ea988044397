"""The nudge rule: only on a day without a report, only when the next step is near."""

from __future__ import annotations

from datetime import date, datetime

from amina.rules.calendar import MOSCOW, WorkingCalendar
from amina.rules.nudge import should_nudge


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def test_should_nudge() -> None:
    calendar = WorkingCalendar()
    tuesday = date(2026, 11, 17)
    monday_l = msk("2026-11-16T18:00")
    reminder = msk("2026-11-18T09:00")  # Wednesday, the next working day
    assert should_nudge(tuesday, monday_l, reminder, calendar)
    assert not should_nudge(tuesday, msk("2026-11-17T08:00"), reminder, calendar)  # reported
    assert not should_nudge(tuesday, monday_l, msk("2026-11-19T09:00"), calendar)  # still far
    assert not should_nudge(tuesday, monday_l, reminder, calendar, within_working_days=0)
    assert should_nudge(tuesday, monday_l, msk("2026-11-17T23:00"), calendar, 0)
