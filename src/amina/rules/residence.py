"""The actual residence (rules.md §3)."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from amina.rules.calendar import CalendarError, WorkingCalendar, moscow_date


class Accommodation(StrEnum):
    PRIVATE = "private"
    HOTEL = "hotel"
    SANATORIUM = "sanatorium"
    REST_HOME = "rest_home"
    BOARDING_HOUSE = "boarding_house"
    TOURIST_BASE = "tourist_base"
    CAMPSITE = "campsite"
    MEDICAL = "medical"
    SOCIAL_CARE = "social_care"
    PENAL = "penal"


# Where the institution notifies instead, the person owes no address.
INSTITUTIONAL = frozenset(Accommodation) - {Accommodation.PRIVATE}


def owes_address(accommodation: Accommodation) -> bool:
    return accommodation not in INSTITUTIONAL


def report_due_on(moved_in_on: date, calendar: WorkingCalendar, working_days: int = 3) -> date:
    """The last Moscow date on which a move can be reported on time."""
    return calendar.nth_working_day_after(moved_in_on, working_days)


def reported_late(
    moved_in_on: date, reported_at: datetime, calendar: WorkingCalendar, working_days: int = 3
) -> bool:
    """A change reported after its working-day allowance is accepted, but flagged. When no
    allowance can be computed (a calendar without working days), it is not late: doubt is
    never used against the person."""
    try:
        due_on = report_due_on(moved_in_on, calendar, working_days)
    except CalendarError:
        return False
    return moscow_date(reported_at) > due_on
