"""The evening nudge: whom to remind, on a day with no accepted report, that a step is near.

A person is nudged on day D (after the nudge time) when their last monitoring falls before D
and their next step (reminder, final warning, deregistration) falls no later than the
`within_working_days`-th working day after D. On days the deadline is still far, nothing.
"""

from __future__ import annotations

from datetime import date, datetime

from amina.rules.calendar import WorkingCalendar, moscow_date


def should_nudge(
    today: date,
    last_monitoring_at: datetime,
    next_step_at: datetime,
    calendar: WorkingCalendar,
    within_working_days: int = 1,
) -> bool:
    if moscow_date(last_monitoring_at) >= today:
        return False  # a report arrived today
    horizon = today
    if within_working_days > 0:
        horizon = calendar.nth_working_day_after(today, within_working_days)
    return moscow_date(next_step_at) <= horizon
