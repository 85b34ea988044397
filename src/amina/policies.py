"""The rules' policy objects, built from settings: the one bridge between config and rules."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache

from amina.config import Settings
from amina.rules.deadlines import DeadlinePolicy
from amina.rules.eligibility import EligibilityPolicy
from amina.rules.outages import OutageBounds
from amina.rules.reports import TimingPolicy


def eligibility_policy(settings: Settings) -> EligibilityPolicy:
    return EligibilityPolicy(
        participating=frozenset(settings.participating_citizenships),
        work_required_from=settings.work_required_from,
        long_stay_required_from=settings.long_stay_required_from,
        short_stay_max_days=settings.short_stay_max_days,
        adult_age_years=settings.adult_age_years,
    )


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    return DeadlinePolicy(
        reminder_working_day=settings.reminder_working_day,
        reminder_time=settings.reminder_time,
        final_warning_working_day=settings.final_warning_working_day,
        final_warning_time=settings.final_warning_time,
        deregistration_working_day=settings.deregistration_working_day,
        deregistration_time=settings.deregistration_time,
    )


def timing_policy(settings: Settings) -> TimingPolicy:
    return _timing_policy(settings.clock_skew_s, settings.max_report_age_days)


@lru_cache(maxsize=16)
def _timing_policy(clock_skew_s: int, max_report_age_days: int) -> TimingPolicy:
    """Shared while the settings stay the same (it is frozen): every batch of reports asks for
    it, and building two timedeltas and a frozen dataclass costs about as much as validating
    a report."""
    return TimingPolicy(
        clock_skew=timedelta(seconds=clock_skew_s),
        max_age=timedelta(days=max_report_age_days),
    )


def outage_bounds(settings: Settings) -> OutageBounds:
    return OutageBounds(max_days=settings.outage_max_days)
