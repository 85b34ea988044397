"""Deadlines as the database's calendar knows them right now."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amina.calendar.service import calendar_of
from amina.config import Settings
from amina.monitoring.models import StepTaken
from amina.policies import deadline_policy
from amina.rules.deadlines import Deadlines, compute_deadlines


def deadlines_for(session: Session, settings: Settings, last_monitoring_at: datetime) -> Deadlines:
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    return compute_deadlines(last_monitoring_at, calendar, deadline_policy(settings))


def last_sweep_at(session: Session) -> datetime | None:
    """When the sweep last took a step: declared outages may reach 30 days behind it."""
    return session.scalar(select(func.max(StepTaken.taken_at)))
