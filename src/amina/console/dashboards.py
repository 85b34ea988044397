"""Dashboards, read from the worker's daily counts: a series per chart, and CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.console.models import DailyCount
from amina.errors import NotFound


@dataclass(frozen=True)
class Chart:
    name: str
    x: list[str]  # ISO days, or hours "00".."23"
    series: dict[str, list[float]]
    summary: dict[str, float | None]


# name → (metric, keys to draw; None: every key seen)
CHARTS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "active": ("active", ("all",)),
    "reports": ("reports", ("counted", "not_counted")),
    "reports_hour": ("reports_hour", tuple(f"{h:02d}" for h in range(24))),
    "rejected": ("rejected", None),  # refused reports by code (the codes the API answers)
    "steps": ("step", ("reminder", "final_warning", "deregistration")),
    "deregistrations": ("deregistration", None),
    "reviews": ("review", ("reinstated", "rejected")),
    "outages": ("outage", ("lost_day", "protected")),
    "delivery": ("delivery", None),
    "registry": ("registry", ("proposed", "decided", "removed")),
}


def _rows(session: Session, metric: str, first: date, last: date) -> list[DailyCount]:
    return list(
        session.scalars(
            select(DailyCount)
            .where(DailyCount.metric == metric, DailyCount.day >= first, DailyCount.day <= last)
            .order_by(DailyCount.day, DailyCount.key)
        )
    )


def _median(histogram: dict[int, int]) -> float | None:
    total = sum(histogram.values())
    if not total:
        return None
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen * 2 >= total:
            return float(value)
    return None  # pragma: no cover


def chart(session: Session, name: str, *, today: date, days: int = 30) -> Chart:
    if name not in CHARTS:
        raise NotFound("no such dashboard", code="dashboard_not_found")
    metric, keys = CHARTS[name]
    first = today - timedelta(days=days - 1)
    rows = _rows(session, metric, first, today)
    summary: dict[str, float | None] = {}
    if name == "reports_hour":
        totals = dict.fromkeys(keys or (), 0.0)
        for row in rows:
            totals[row.key] = totals.get(row.key, 0) + row.value
        return Chart(name, list(totals), {"reports": list(totals.values())}, {})
    x = [(first + timedelta(days=i)).isoformat() for i in range(days)]
    index = {d: i for i, d in enumerate(x)}
    wanted = keys or tuple(sorted({r.key for r in rows}))
    series = {k: [0.0] * days for k in wanted}
    for row in rows:
        if row.key in series:
            series[row.key][index[row.day.isoformat()]] += row.value
    if name == "steps":
        reminders = sum(series["reminder"])
        deregs = sum(series["deregistration"])
        summary["recovery_rate"] = round(max(0.0, 1 - deregs / reminders), 3) if reminders else None
    if name == "reviews":
        no_geo = sum(
            r.value
            for r in _rows(session, "deregistration", first, today)
            if r.key == "no_geolocation"
        )
        summary["reversal_rate"] = round(sum(series["reinstated"]) / no_geo, 3) if no_geo else None
        histogram: dict[int, int] = {}
        for r in _rows(session, "review_days", first, today):
            histogram[int(r.key)] = histogram.get(int(r.key), 0) + r.value
        summary["median_days_to_decision"] = _median(histogram)
    if name == "delivery":
        for channel in ("push", "sms"):
            sent = sum(sum(v) for k, v in series.items() if k == f"{channel}:sent")
            total = sum(sum(v) for k, v in series.items() if k.startswith(f"{channel}:"))
            summary[f"{channel}_success"] = round(sent / total, 3) if total else None
    return Chart(name, x, series, summary)


def as_csv(result: Chart) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["x", *result.series])
    for i, x in enumerate(result.x):
        writer.writerow([x, *(int(v[i]) for v in result.series.values())])
    return buffer.getvalue()
