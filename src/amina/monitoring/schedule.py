"""Deadlines as the database's calendar knows them right now."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from amina.calendar.service import calendar_of
from amina.config import Settings
from amina.monitoring.areas import person_calendar
from amina.policies import deadline_policy
from amina.rules.deadlines import Deadlines, compute_deadlines


def deadlines_for(
    session: Session,
    settings: Settings,
    last_monitoring_at: datetime,
    person_id: uuid.UUID | None = None,
) -> Deadlines:
    """With `person_id`, the connectivity outages covering that person move them too (§9)."""
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    if person_id is not None:
        calendar = person_calendar(session, settings, person_id, last_monitoring_at, calendar)
    return compute_deadlines(last_monitoring_at, calendar, deadline_policy(settings))
