"""The per-person monitoring state: moved by accepted reports and check-ins, read by the sweep.

Every change locks the person's one row (by primary key) first, so concurrent intake requests
and the sweep never interleave on the same person, and the cost does not depend on how many
people are monitored.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from amina.config import Settings
from amina.monitoring.areas import outages_moving
from amina.monitoring.models import MonitoringSource, MonitoringState
from amina.monitoring.schedule import deadlines_for
from amina.monitoring.schemas import MonitoringOut
from amina.rules.deadlines import Step, next_step
from amina.rules.reports import moves_monitoring


def locked_state(session: Session, person_id: uuid.UUID, now: datetime) -> MonitoringState:
    state = session.get(MonitoringState, person_id, with_for_update=True)
    if state is None:
        state = MonitoringState(person_id=person_id, updated_at=now)
        session.add(state)
        session.flush()
    return state


def schedule(session: Session, settings: Settings, state: MonitoringState) -> None:
    """Set the next step from the last monitoring instant and the steps already taken."""
    if state.registration_id is None or state.last_monitoring_at is None:
        state.next_step = state.next_step_at = None
        return
    upcoming = next_step(
        deadlines_for(session, settings, state.last_monitoring_at, state.person_id),
        state.last_step,
    )
    state.next_step = upcoming.step if upcoming else None
    state.next_step_at = upcoming.due_at if upcoming else None


def advance(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    person_id: uuid.UUID,
    recorded_at: datetime,
    source: MonitoringSource,
    state: MonitoringState | None = None,
) -> tuple[MonitoringState, bool]:
    """Move the last monitoring instant to `recorded_at` if it is later; the count restarts and
    every pending step is cancelled (rules.md §4). Returns the state and whether it moved.
    `state` is the person's row if the caller has already locked it."""
    state = state or locked_state(session, person_id, now)
    if not moves_monitoring(recorded_at, state.last_monitoring_at):
        return state, False
    state.last_monitoring_at, state.last_monitoring_source = recorded_at, source
    state.last_step = None
    state.updated_at = now
    schedule(session, settings, state)
    return state, True


def attach_registration(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    person_id: uuid.UUID,
    registration_id: uuid.UUID | None,
    last_step: Step | None = None,
) -> MonitoringState:
    """Start (or stop, with None) monitoring the person's registration."""
    state = locked_state(session, person_id, now)
    state.registration_id = registration_id
    state.last_step = last_step
    state.updated_at = now
    schedule(session, settings, state)
    return state


def view(
    session: Session, settings: Settings, person_id: uuid.UUID, *, active: bool
) -> MonitoringOut:
    """The `monitoring` block of /me: the last monitoring instant and the calendar's deadlines."""
    return view_of(session, settings, session.get(MonitoringState, person_id), active=active)


def view_of(
    session: Session, settings: Settings, state: MonitoringState | None, *, active: bool
) -> MonitoringOut:
    if state is None or state.last_monitoring_at is None:
        return MonitoringOut()
    if not active:
        return MonitoringOut(last_monitoring_at=state.last_monitoring_at)
    deadlines = deadlines_for(session, settings, state.last_monitoring_at, state.person_id)
    return MonitoringOut(
        last_monitoring_at=state.last_monitoring_at,
        reminder_at=deadlines.reminder_at,
        final_warning_at=deadlines.final_warning_at,
        deregistration_at=deadlines.deregistration_at,
        connectivity_outages=outages_moving(session, state.person_id, state.last_monitoring_at),
    )
