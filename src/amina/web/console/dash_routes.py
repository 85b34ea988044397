"""Console dashboards (charts drawn from server-side aggregates, CSV for each) and the audit log."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy import select

from amina.audit.models import AuditEvent
from amina.console import dashboards
from amina.rules.calendar import moscow_date
from amina.web.console.deps import ConsoleDep
from amina.web.console.templating import render
from amina.web.deps import AuditCursor, NowDep, SessionDep

router = APIRouter(prefix="/console", include_in_schema=False)


@router.get("/dashboards", response_class=HTMLResponse)
def dashboards_page(
    request: Request, current: ConsoleDep, session: SessionDep, now: NowDep
) -> Response:
    today = moscow_date(now)
    charts = [dashboards.chart(session, name, today=today) for name in dashboards.CHARTS]
    data = {c.name: {"x": c.x, "series": c.series} for c in charts}
    return render(request, "dashboards.html", officer=current.officer, charts=charts, data=data)


@router.get("/dashboards/{name}.csv")
def dashboard_csv(name: str, current: ConsoleDep, session: SessionDep, now: NowDep) -> Response:
    chart = dashboards.chart(session, name, today=moscow_date(now))
    return Response(
        dashboards.as_csv(chart),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{chart.name}.csv"'},
    )


@router.get("/audit", response_class=HTMLResponse)
def audit(
    request: Request, current: ConsoleDep, session: SessionDep, before: AuditCursor = 0
) -> Response:
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(100)
    if before > 0:
        query = query.where(AuditEvent.seq < before)
    events = list(session.scalars(query))
    return render(request, "audit.html", officer=current.officer, events=events)
