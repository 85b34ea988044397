"""The daily nudge: once an evening, by push only, to people with no report today whose next
step is near. (person, kind, Moscow date) is unique in the outbox, so it is never sent twice a
day however often the job runs."""

from __future__ import annotations

import uuid
from datetime import datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.calendar.service import calendar_of
from amina.config import Settings
from amina.monitoring.models import MonitoringState
from amina.notifications.catalog import json_params
from amina.notifications.service import Message, notify_many
from amina.nudge.models import NudgePreference
from amina.rules.calendar import moscow_date, moscow_instant
from amina.rules.nudge import should_nudge


def set_enabled(session: Session, *, now: datetime, person_id: uuid.UUID, enabled: bool) -> bool:
    preference = session.get(NudgePreference, person_id, with_for_update=True)
    if preference is None:
        preference = NudgePreference(person_id=person_id)
        session.add(preference)
    preference.enabled, preference.updated_at = enabled, now
    session.flush()
    return enabled


def is_enabled(session: Session, person_id: uuid.UUID) -> bool:
    preference = session.get(NudgePreference, person_id)
    return preference is None or preference.enabled


def send_nudges(session: Session, *, now: datetime, settings: Settings, limit: int = 5000) -> int:
    """Queue today's nudges (after the nudge time); returns how many were new."""
    today = moscow_date(now)
    if now < moscow_instant(today, settings.nudge_time):
        return 0
    opted_out = select(NudgePreference.person_id).where(NudgePreference.enabled.is_(False))
    rows = session.execute(
        select(
            MonitoringState.person_id,
            MonitoringState.last_monitoring_at,
            MonitoringState.next_step,
            MonitoringState.next_step_at,
        )
        .where(
            MonitoringState.registration_id.is_not(None),
            MonitoringState.next_step_at.is_not(None),
            MonitoringState.last_monitoring_at < moscow_instant(today, time(0)),
            MonitoringState.person_id.not_in(opted_out),
        )
        .order_by(MonitoringState.next_step_at)
        .limit(limit)
    )
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    messages = [
        Message(
            row.person_id,
            f"nudge_{row.next_step.value}",
            today.isoformat(),
            json_params(next_step_at=row.next_step_at),
        )
        for row in rows
        if row.last_monitoring_at is not None
        and row.next_step is not None
        and row.next_step_at is not None
        and should_nudge(
            today,
            row.last_monitoring_at,
            row.next_step_at,
            calendar,
            settings.nudge_within_working_days,
        )
    ]
    return len(notify_many(session, now=now, messages=messages))
