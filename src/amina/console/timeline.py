"""A person's timeline, the map's points and the presence calendar (each read takes a Grant)."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import shapely
from shapely import affinity
from shapely.geometry import mapping, shape
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.models import AuditEvent
from amina.calendar.models import CalendarOverride
from amina.calendar.service import calendar_of
from amina.cases.models import Case, RegistryEntry
from amina.config import Settings
from amina.console import reports
from amina.console.reads import Grant
from amina.integrations.models import IntegrationEvent
from amina.monitoring.models import Checkin, DailyPresence, StepTaken
from amina.monitoring.presence import presence
from amina.notifications.models import Notification
from amina.rules.calendar import MOSCOW, moscow_date, moscow_instant

TYPES = (
    "report",
    "heartbeat",
    "presence",
    "checkin",
    "step",
    "notification",
    "case",
    "registry",
    "agency",
    "audit",
)
# Folded unless asked for: the phone's own bookkeeping and the system's.
SYSTEM_TYPES = frozenset({"heartbeat", "audit"})
MAP_DAYS = 30


@dataclass(frozen=True)
class Entry:
    at: datetime
    type: str
    title: str
    detail: str = ""
    # A folded day of reports or heartbeats: how many, the first one's time, and the day.
    folded: int = 0
    since: datetime | None = None
    day: date | None = None


def _flags(mock: object, speed: object) -> list[str]:
    return [flag for flag, on in (("mock", mock), ("speed", speed)) if on]


def _report_entries(
    session: Session,
    grant: Grant,
    *,
    now: datetime,
    wanted: set[str],
    unfolded: Sequence[date],
    fold: bool,
) -> list[Entry]:
    since = now - timedelta(days=MAP_DAYS)
    heartbeats = "heartbeat" in wanted
    out: list[Entry] = []
    for at, heartbeat, source, placement, accuracy, mock, speed in reports.raw(
        session,
        grant.person_id,
        since=since,
        now=now,
        unfolded=unfolded,
        with_heartbeats=heartbeats,
        fold=fold,
    ):
        kind = "heartbeat" if heartbeat else "report"
        if kind in wanted:
            detail = f"{placement.value if placement else '—'} ±{accuracy or 0:.0f} m"
            out.append(Entry(at, kind, source.value, " ".join([detail, *_flags(mock, speed)])))
    if not fold:
        return out
    for day in reports.folded(
        session,
        grant.person_id,
        since=since,
        now=now,
        unfolded=unfolded,
        with_heartbeats=heartbeats,
    ):
        kind = "heartbeat" if day.heartbeat else "report"
        if kind not in wanted:
            continue
        spread = (
            f"±{day.min_accuracy_m:.0f}–{day.max_accuracy_m:.0f} m"
            if day.min_accuracy_m is not None and day.max_accuracy_m is not None
            else "±— m"
        )
        flags = [
            f"{flag}×{n}" for flag, n in (("mock", day.mock), ("speed", day.impossible_speed)) if n
        ]
        detail = " ".join([f"inside {day.inside}/{day.count}", spread, *flags])
        out.append(
            Entry(day.last_at, kind, "", detail, folded=day.count, since=day.first_at, day=day.day)
        )
    return out


def timeline(
    session: Session,
    grant: Grant,
    *,
    now: datetime,
    types: set[str] | None = None,
    unfolded: Sequence[date] = (),
    fold: bool = True,
) -> list[Entry]:
    """Everything that happened to the person, newest first. Reports of the last
    `reports.RAW_HOURS` and of the `unfolded` days are listed one by one; earlier days of the
    30-day window are folded into one row per day unless not `fold` (the officer API lists
    them all); older still, daily presence."""
    pid = grant.person_id
    wanted = set(types) if types else set(TYPES) - SYSTEM_TYPES
    since = now - timedelta(days=MAP_DAYS)
    out: list[Entry] = []
    if wanted & {"report", "heartbeat"}:
        out += _report_entries(session, grant, now=now, wanted=wanted, unfolded=unfolded, fold=fold)
    if "presence" in wanted:
        for d in session.scalars(
            select(DailyPresence).where(
                DailyPresence.person_id == pid, DailyPresence.day < moscow_date(since)
            )
        ):
            out.append(Entry(moscow_instant(d.day, time(12)), "presence", f"{d.reports}", ""))
    if "checkin" in wanted:
        for c in session.scalars(select(Checkin).where(Checkin.person_id == pid)):
            out.append(Entry(c.at, "checkin", c.place or "", ""))
    if "step" in wanted:
        for s in session.scalars(select(StepTaken).where(StepTaken.person_id == pid)):
            effect = "" if s.legal_effect else "no legal effect"
            out.append(Entry(s.taken_at, "step", s.step.value, effect))
    if "notification" in wanted:
        for n in session.scalars(select(Notification).where(Notification.person_id == pid)):
            out.append(Entry(n.created_at, "notification", n.kind, ""))
    if "case" in wanted:
        for case in session.scalars(select(Case).where(Case.person_id == pid)):
            out.append(Entry(case.opened_at, "case", f"{case.kind.value} opened", ""))
            if case.closed_at:
                outcome = case.outcome.value if case.outcome else ""
                out.append(Entry(case.closed_at, "case", outcome, case.decision_reason or ""))
    if "registry" in wanted:
        for e in session.scalars(select(RegistryEntry).where(RegistryEntry.person_id == pid)):
            out.append(Entry(e.proposed_at, "registry", "proposed", e.basis))
            if e.decided_at:
                out.append(Entry(e.decided_at, "registry", e.status.value, e.decision_reason or ""))
    if "agency" in wanted:
        for ev in session.scalars(
            select(IntegrationEvent).where(IntegrationEvent.person_id == pid)
        ):
            out.append(Entry(ev.occurred_at, "agency", ev.type.value, ev.source))
    if "audit" in wanted:
        for a in session.scalars(
            select(AuditEvent)
            .where(AuditEvent.person_id == pid)
            .order_by(AuditEvent.seq.desc())
            .limit(500)
        ):
            out.append(Entry(a.at, "audit", a.action, a.actor_type))
    out.sort(key=lambda e: e.at, reverse=True)
    return out


def points(session: Session, grant: Grant, *, now: datetime) -> list[dict[str, Any]]:
    """The last 30 days' located reports, oldest first, for the map and its replay."""
    out = []
    for at, lat, lon, accuracy, mock, speed, placement in reports.points(
        session, grant.person_id, since=now - timedelta(days=MAP_DAYS)
    ):
        local = at.astimezone(MOSCOW)  # formatted by hand: strftime is half this loop's time
        out.append(
            {
                "t": int(at.timestamp()),
                "at": f"{local.day:02d}.{local.month:02d} {local.hour:02d}:{local.minute:02d}",
                "lat": lat,
                "lon": lon,
                "acc": accuracy,
                "mock": mock,
                "speed": speed,
                "placement": placement.value if placement else None,
            }
        )
    return out


def track(session: Session, grant: Grant, *, now: datetime) -> list[tuple[Any, ...]]:
    """The console map's points as compact rows, oldest first: (recorded_at, lat, lon,
    accuracy_m, mock, impossible_speed, placement). Serialised as they are (orjson writes the
    instant as ISO 8601) and labelled in Moscow time by the page: no per-point work here."""
    return [
        tuple(row)
        for row in reports.points(session, grant.person_id, since=now - timedelta(days=MAP_DAYS))
    ]


@cache
def territory_layers(path: str | None, tolerance_m: float) -> dict[str, Any]:
    """The territory polygon and its tolerance band (outer edge, inner edge) as GeoJSON in
    degrees: buffered in a local equirectangular frame, which is exact enough to draw."""
    if path:
        raw = Path(path).read_text(encoding="utf-8")
    else:
        raw = resources.files("amina.rules.data").joinpath("RU-MS.json").read_text("utf-8")
    data = json.loads(raw)
    features = data.get("features") if data.get("type") == "FeatureCollection" else None
    geoms = (
        [shape(f["geometry"]) for f in features]
        if features
        else [shape(data.get("geometry", data))]
    )
    region = shapely.union_all(geoms)
    lat0 = region.centroid.y
    kx = 111_320 * math.cos(math.radians(lat0))
    ky = 110_574.0
    local = affinity.scale(region, xfact=kx, yfact=ky, origin=(0, 0))
    outer = affinity.scale(local.buffer(tolerance_m), 1 / kx, 1 / ky, origin=(0, 0))
    inner = affinity.scale(local.buffer(-tolerance_m), 1 / kx, 1 / ky, origin=(0, 0))
    simplify = 0.002
    return {
        "territory": mapping(region.simplify(simplify)),
        "outer": mapping(outer.simplify(simplify)),
        "inner": mapping(inner.simplify(simplify)),
    }


@dataclass(frozen=True)
class CalendarDay:
    day: date
    working: bool
    holiday: bool
    working_weekend: bool
    lost_to_outage: bool
    override: str | None
    had_report: bool
    inside: bool | None
    in_month: bool


def presence_month(
    session: Session, grant: Grant, *, settings: Settings, month: date
) -> list[list[CalendarDay]]:
    """A month grid (weeks of Monday..Sunday) of working days, reports and their causes."""
    first = month.replace(day=1)
    nxt = (first + timedelta(days=32)).replace(day=1)
    start = first - timedelta(days=first.weekday())
    end = nxt + timedelta(days=(7 - nxt.weekday()) % 7) - timedelta(days=1)
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    overrides = {
        o.day: o.reason
        for o in session.scalars(
            select(CalendarOverride).where(
                CalendarOverride.day >= start, CalendarOverride.day <= end
            )
        )
    }
    days = {d.date: d for d in presence(session, person_id=grant.person_id, first=start, last=end)}
    weeks: list[list[CalendarDay]] = []
    current = start
    while current <= end:
        week = []
        for _ in range(7):
            production = calendar.is_production_working_day(current)
            seen = days.get(current)
            week.append(
                CalendarDay(
                    day=current,
                    working=calendar.is_working_day(current),
                    holiday=not production and current.weekday() < 5,
                    working_weekend=production and current.weekday() >= 5,
                    lost_to_outage=current in calendar.lost_days,
                    override=overrides.get(current),
                    had_report=bool(seen and seen.had_report),
                    inside=seen.inside_territory if seen else None,
                    in_month=current.month == first.month,
                )
            )
            current += timedelta(days=1)
        weeks.append(week)
    return weeks
