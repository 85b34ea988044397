"""The person page explains why the deadlines moved: only by what really moved them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.calendar.models import OutageSource, OutageStatus
from amina.calendar.service import add_outage
from amina.config import Settings
from amina.console.person import explain
from amina.monitoring.models import MonitoringState
from amina.rules.calendar import MOSCOW
from tests.conftest import Recorded
from tests.support.migrant import Migrant


def test_only_active_outages_that_cost_a_working_day_are_named_as_moving_the_deadlines(
    registered: tuple[Recorded, Migrant], session: Session, settings: Settings
) -> None:
    person, _ = registered
    now = datetime(2026, 11, 20, 10, 30, tzinfo=MOSCOW)  # a Friday
    state = session.get(MonitoringState, person.person_id)
    assert state is not None and state.last_monitoring_at is not None

    def outage(day: int, hours: float, reason: str, status: OutageStatus) -> None:
        starts_at = datetime(2026, 11, day, tzinfo=MOSCOW)
        add_outage(
            session,
            now=now,
            actor=Actor("cli", "t"),
            starts_at=starts_at,
            ends_at=starts_at + timedelta(hours=hours),
            reason=reason,
            source=OutageSource.DECLARED,
            status=status,
        )

    outage(23, 24, "the whole Monday down", OutageStatus.ACTIVE)
    outage(24, 24, "waiting for a second supervisor", OutageStatus.PROPOSED)
    outage(25, 1, "an hour down: the day still counts", OutageStatus.ACTIVE)
    real, plain, moved = explain(session, settings, state)
    assert real is not None and plain is not None
    assert real.deregistration_at > datetime(2026, 11, 26, tzinfo=MOSCOW)
    assert real.deregistration_at > plain.deregistration_at  # the Monday was lost
    assert [m.detail for m in moved if m.kind == "outage"] == ["the whole Monday down"]
