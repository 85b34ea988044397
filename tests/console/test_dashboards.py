"""The "refused reports by reason" dashboard: the intake counts what it refuses, by code, in
the commit of what it accepts; the worker's daily counts and the chart read those counters."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from amina.clock import FixedClock
from amina.console import dashboards, stats
from amina.context import AppContext
from amina.officers.models import Role
from amina.rules.calendar import moscow_date
from tests.conftest import Recorded
from tests.console.conftest import Console
from tests.support.migrant import Migrant


def test_refused_reports_are_counted_by_reason(
    registered: tuple[Recorded, Migrant], context: AppContext, clock: FixedClock
) -> None:
    _, migrant = registered
    good = migrant.location(ago=timedelta(minutes=-1))
    too_old = migrant.location(ago=timedelta(days=40))
    future = migrant.location(ago=timedelta(hours=-2))
    body = migrant.report(good, too_old, future).json()
    assert body["accepted"] == [good["id"]]
    assert sorted(r["code"] for r in body["rejected"]) == ["recorded_in_future", "too_old"]
    again = migrant.report(migrant.location(ago=timedelta(days=41))).json()
    assert [r["code"] for r in again["rejected"]] == ["too_old"]
    resent = migrant.report(good).json()  # a duplicate is not a refusal
    assert resent["duplicates"] == [good["id"]] and resent["rejected"] == []

    today = moscow_date(clock.now())
    with context.db.unit_of_work() as session:
        stats.refresh(session, now=clock.now(), settings=context.settings, days=1)
    with context.db.unit_of_work(readonly=True) as session:
        chart = dashboards.chart(session, "rejected", today=today)
    assert chart.x[-1] == today.isoformat()
    assert {code: values[-1] for code, values in chart.series.items()} == {
        "recorded_in_future": 1.0,
        "too_old": 2.0,
    }
    assert all(sum(values[:-1]) == 0 for values in chart.series.values())


def test_the_dashboard_page_draws_the_refused_reports(
    console_as: Callable[..., Console],
    registered: tuple[Recorded, Migrant],
    context: AppContext,
    clock: FixedClock,
) -> None:
    _, migrant = registered
    migrant.report(migrant.location(ago=timedelta(days=40)))
    c = console_as(Role.SUPERVISOR)
    with context.db.unit_of_work() as session:
        stats.refresh(session, now=clock.now(), settings=context.settings, days=1)
    page = c.client.get("/console/dashboards")
    assert page.status_code == 200
    assert "Отклонённые геолокации по причинам" in page.text
    csv = c.client.get("/console/dashboards/rejected.csv")
    assert csv.status_code == 200
    header, *rows = csv.text.splitlines()
    assert header.split(",") == ["x", "too_old"]
    assert rows[-1].split(",")[-1] in ("1", "1.0")
