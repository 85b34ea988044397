"""When the calendar changes (an outage, an officer's override), everyone's deadline that the
change touches moves. The sweep re-checks before acting anyway; this keeps the stored schedule
(and what people are told) right, and tells anyone already warned that their deadline moved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import select

from amina.calendar.service import load_calendar
from amina.config import Settings
from amina.db import Database
from amina.monitoring.areas import person_calendar
from amina.monitoring.models import MonitoringState
from amina.notifications.catalog import json_params
from amina.notifications.service import notify
from amina.policies import deadline_policy
from amina.rules.deadlines import Step, compute_deadlines, next_step


def reschedule_between(
    db: Database,
    *,
    now: datetime,
    settings: Settings,
    starts_at: datetime,
    ends_at: datetime,
    batch_size: int = 1000,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute the schedule of everyone whose pending steps a change in [starts_at, ends_at]
    can move; returns how many schedules moved."""
    moved, after = 0, None
    while True:
        with db.unit_of_work() as session:
            query = (
                select(MonitoringState)
                .where(
                    MonitoringState.next_step.is_not(None),
                    MonitoringState.last_monitoring_at < ends_at,
                    MonitoringState.next_step_at > starts_at,
                )
                .order_by(MonitoringState.person_id)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
            if after is not None:
                query = query.where(MonitoringState.person_id > after)
            states = list(session.scalars(query))
            if not states:
                return moved
            calendar = load_calendar(
                session,
                min_available_hours=settings.min_available_hours,
                since=min(s.last_monitoring_at or now for s in states),
            )
            for state in states:
                if state.last_monitoring_at is None:
                    continue
                deadlines = compute_deadlines(
                    state.last_monitoring_at,
                    person_calendar(
                        session, settings, state.person_id, state.last_monitoring_at, calendar
                    ),
                    deadline_policy(settings),
                )
                upcoming = next_step(deadlines, state.last_step)
                new_at = upcoming.due_at if upcoming else None
                if new_at == state.next_step_at:
                    continue
                if (
                    state.last_step is Step.FINAL_WARNING
                    and new_at
                    and (state.next_step_at is None or new_at > state.next_step_at)
                ):
                    notify(
                        session,
                        now=now,
                        person_id=state.person_id,
                        kind="deadline_extended",
                        window=f"{state.last_monitoring_at.isoformat()}:{new_at.isoformat()}",
                        params=json_params(deregistration_at=new_at),
                    )
                state.next_step = upcoming.step if upcoming else None
                state.next_step_at, state.updated_at = new_at, now
                moved += 1
            after = states[-1].person_id
            if progress is not None:
                progress(len(states))
