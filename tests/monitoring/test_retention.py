"""Retention (issue 4): raw reports past the setting are folded into daily presence and
deleted; what the person sees in their calendar does not change."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from amina.clock import FixedClock
from amina.context import AppContext
from amina.monitoring.models import DailyPresence, LocationReport
from amina.monitoring.retention import apply_retention
from tests.conftest import Recorded
from tests.support.migrant import Migrant


def test_old_reports_are_folded_then_deleted(
    registered: tuple[Recorded, Migrant], context: AppContext, clock: FixedClock
) -> None:
    _, migrant = registered
    migrant.report(
        migrant.location(ago=timedelta(days=29, hours=1)),
        migrant.location(ago=timedelta(days=29, hours=2), lat=54.19, lon=37.62),  # Tula
        migrant.location(ago=timedelta(days=29, hours=3), lat=None, lon=None),  # heartbeat
        migrant.location(ago=timedelta(days=2)),
    )
    window = {"from": "2026-10-20", "to": "2026-10-24"}
    before = migrant.get("/api/v1/me/presence", params=window).json()["days"]
    clock.advance(timedelta(days=3))  # those reports are now past the 30 days
    counts = apply_retention(context.db, now=clock.now(), settings=context.settings)
    assert counts["reports_folded"] == 3
    with context.db.unit_of_work(readonly=True) as session:
        remaining = session.scalar(select(func.count()).select_from(LocationReport))
        kept = session.scalars(select(DailyPresence)).one()
    assert remaining == 2  # the registration's fix and the recent report
    assert kept.had_report and kept.inside_territory is True and kept.reports == 2
    migrant.refresh()
    after = migrant.get("/api/v1/me/presence", params=window).json()["days"]
    assert after == before
    assert (
        apply_retention(context.db, now=clock.now(), settings=context.settings)["reports_folded"]
        == 0
    )
