"""From the last monitoring instant to the reminder, the final warning and the deregistration.

Let L be the Moscow date of the last monitoring, and W1..W4 the first working days strictly after
L (rules.md §4). With the default policy:
- reminder at 09:00 on W2,
- final warning at 09:00 on W3,
- deregistration at 00:00 on W4: by then the absence has lasted more than three working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum

from amina.rules.calendar import WorkingCalendar, moscow_date, moscow_instant


class Step(StrEnum):
    """The monitoring steps, in the order they fall due."""

    REMINDER = "reminder"
    FINAL_WARNING = "final_warning"
    DEREGISTRATION = "deregistration"


STEP_ORDER: tuple[Step, ...] = (Step.REMINDER, Step.FINAL_WARNING, Step.DEREGISTRATION)


@dataclass(frozen=True)
class DeadlinePolicy:
    """Which working day after L each step falls on, and at what Moscow time."""

    reminder_working_day: int = 2
    reminder_time: time = time(9, 0)
    final_warning_working_day: int = 3
    final_warning_time: time = time(9, 0)
    deregistration_working_day: int = 4
    deregistration_time: time = time(0, 0)

    def __post_init__(self) -> None:
        order = [
            (self.reminder_working_day, self.reminder_time),
            (self.final_warning_working_day, self.final_warning_time),
            (self.deregistration_working_day, self.deregistration_time),
        ]
        if self.reminder_working_day < 1:
            raise ValueError("the reminder cannot fall before the first working day after L")
        if order != sorted(order) or len(set(order)) != len(order):
            raise ValueError("reminder, final warning and deregistration must fall in that order")


@dataclass(frozen=True)
class Deadlines:
    last_monitoring_date: date
    reminder_at: datetime
    final_warning_at: datetime
    deregistration_at: datetime

    def at(self, step: Step) -> datetime:
        return {
            Step.REMINDER: self.reminder_at,
            Step.FINAL_WARNING: self.final_warning_at,
            Step.DEREGISTRATION: self.deregistration_at,
        }[step]


def compute_deadlines(
    last_monitoring_at: datetime,
    calendar: WorkingCalendar,
    policy: DeadlinePolicy | None = None,
) -> Deadlines:
    """The step instants for a last monitoring instant, from the calendar alone."""
    policy = policy or DeadlinePolicy()
    last_day = moscow_date(last_monitoring_at)
    working_days = calendar.working_days_after(last_day, policy.deregistration_working_day)

    def on(working_day: int, at: time) -> datetime:
        return moscow_instant(working_days[working_day - 1], at)

    return Deadlines(
        last_monitoring_date=last_day,
        reminder_at=on(policy.reminder_working_day, policy.reminder_time),
        final_warning_at=on(policy.final_warning_working_day, policy.final_warning_time),
        deregistration_at=on(policy.deregistration_working_day, policy.deregistration_time),
    )


@dataclass(frozen=True)
class ScheduledStep:
    step: Step
    due_at: datetime


def next_step(deadlines: Deadlines, done: Step | None) -> ScheduledStep | None:
    """The step after `done` (None: nothing done yet for this L), or None after deregistration."""
    index = 0 if done is None else STEP_ORDER.index(done) + 1
    if index == len(STEP_ORDER):
        return None
    step = STEP_ORDER[index]
    return ScheduledStep(step, deadlines.at(step))


def step_to_take(deadlines: Deadlines, done: Step | None, now: datetime) -> Step | None:
    """The one step to take at `now`, or None if nothing is due yet.

    After a pause (a worker down for a while) several steps may be due at once. Only the latest
    one is taken: a reminder that is overtaken by the final warning would only confuse. Steps are
    never taken before their instant.
    """
    due: Step | None = None
    scheduled = next_step(deadlines, done)
    while scheduled is not None and scheduled.due_at <= now:
        due = scheduled.step
        scheduled = next_step(deadlines, due)
    return due
