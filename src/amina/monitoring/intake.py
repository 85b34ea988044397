"""Taking in location reports: validate each, store once, classify, and move monitoring.

A batch is judged report by report: a bad one is rejected with a code and the rest go on. A
report the device already sent (same device, same id) is a duplicate and is never counted twice;
the unique key decides, so concurrent resends cannot both insert.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.bulk import insert_rows
from amina.cases import service as cases
from amina.config import Settings
from amina.monitoring import state as monitoring_state
from amina.monitoring.models import LocationReport, MonitoringSource, ReportSource
from amina.monitoring.schemas import LocationIn, MonitoringOut
from amina.notifications.service import notify
from amina.policies import timing_policy
from amina.rules.calendar import moscow_date
from amina.rules.reports import Fix, impossible_speed, moves_monitoring, timing_rejection
from amina.rules.territory import Territory

_LOCATION = TypeAdapter(LocationIn)


@dataclass(frozen=True)
class Rejected:
    id: str | None
    code: str
    message: str


@dataclass
class IntakeResult:
    accepted: list[uuid.UUID] = field(default_factory=list)
    duplicates: list[uuid.UUID] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    monitoring: MonitoringOut = field(default_factory=MonitoringOut)


def _item_id(item: Any) -> str | None:
    raw = item.get("id") if isinstance(item, dict) else None
    return str(raw)[:64] if raw is not None else None


def _validate(item: Any) -> LocationIn | Rejected:
    try:
        return _LOCATION.validate_python(item)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "report"
        return Rejected(_item_id(item), "invalid_report", f"{where}: {first.get('msg', '')}")


def _previous_fix(session: Session, person_id: uuid.UUID, before: datetime) -> Fix | None:
    row = session.execute(
        select(
            LocationReport.lat,
            LocationReport.lon,
            LocationReport.recorded_at,
            LocationReport.accuracy_m,
        )
        .where(
            LocationReport.person_id == person_id,
            LocationReport.heartbeat.is_(False),
            LocationReport.recorded_at <= before,
        )
        .order_by(LocationReport.recorded_at.desc())
        .limit(1)
    ).one_or_none()
    if row is None or row.lat is None or row.lon is None:
        return None
    return Fix(row.lat, row.lon, row.recorded_at, row.accuracy_m or 0.0)


def _insert(session: Session, rows: list[dict[str, Any]]) -> set[uuid.UUID]:
    """Insert what is new; return the client ids that were inserted (the rest already existed)."""
    return set(
        insert_rows(
            session,
            LocationReport,
            rows,
            skip_conflicts_on=["device_id", "client_id"],
            returning="client_id",
        )
    )


def ingest(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    territory: Territory,
    person_id: uuid.UUID,
    device_id: uuid.UUID,
    items: list[Any],
    owntracks: bool = False,
) -> IntakeResult:
    result = IntakeResult()
    policy = timing_policy(settings)
    valid: list[LocationIn] = []
    seen: set[uuid.UUID] = set()
    for item in items:
        report = _validate(item)
        if isinstance(report, Rejected):
            result.rejected.append(report)
        elif report.id in seen:
            result.duplicates.append(report.id)
        elif (reason := timing_rejection(report.recorded_at, now, policy)) is not None:
            result.rejected.append(Rejected(str(report.id), reason.value, _TIMING[reason.value]))
        else:
            seen.add(report.id)
            valid.append(report)

    state = monitoring_state.locked_state(session, person_id, now)
    previous_monitoring = state.last_monitoring_at
    fixes = sorted(
        ((r.id, fix) for r in valid if (fix := r.fix()) is not None),
        key=lambda pair: pair[1].recorded_at,
    )
    placements = territory.classify_many([f.lat for _, f in fixes], [f.lon for _, f in fixes])
    placement_of = {rid: p for (rid, _), p in zip(fixes, placements, strict=True)}
    jumped = _speed_flags(session, settings, person_id, fixes)

    rows = [
        {
            "device_id": device_id,
            "client_id": r.id,
            "person_id": person_id,
            "recorded_at": r.recorded_at,
            "received_at": now,
            "lat": r.lat,
            "lon": r.lon,
            "accuracy_m": r.accuracy_m,
            "source": ReportSource.OWNTRACKS if owntracks else ReportSource(r.source),
            "mock": r.mock,
            "heartbeat": r.is_heartbeat,
            "placement": placement_of.get(r.id),
            "impossible_speed": r.id in jumped,
            "counted": not r.is_heartbeat and moves_monitoring(r.recorded_at, previous_monitoring),
        }
        for r in valid
    ]
    inserted = _insert(session, rows)
    new_reports = [r for r in valid if r.id in inserted]
    for report in valid:
        (result.accepted if report.id in inserted else result.duplicates).append(report.id)

    new_fixes = [r for r in new_reports if not r.is_heartbeat]
    if new_fixes:
        latest = max(r.recorded_at for r in new_fixes)
        monitoring_state.advance(
            session,
            now=now,
            settings=settings,
            person_id=person_id,
            recorded_at=latest,
            source=MonitoringSource.REPORT,
        )
        cases.consider_late_evidence(
            session, now=now, person_id=person_id, recorded_at=[r.recorded_at for r in new_fixes]
        )
    if new_reports and max(new_reports, key=lambda r: r.recorded_at).is_heartbeat:
        # Alive, but location is off: tell them at once what to fix (once a day at most).
        notify(
            session,
            now=now,
            person_id=person_id,
            kind="location_off",
            window=moscow_date(now).isoformat(),
        )
    # Deadlines are shown only while registered: there is nothing to lose before.
    result.monitoring = monitoring_state.view_of(
        session, settings, state, active=state.registration_id is not None
    )
    return result


def _speed_flags(
    session: Session,
    settings: Settings,
    person_id: uuid.UUID,
    fixes: list[tuple[uuid.UUID, Fix]],
) -> set[uuid.UUID]:
    """Reports that would need an impossible speed from the fix before them (flagged, kept)."""
    if not fixes:
        return set()
    flagged: set[uuid.UUID] = set()
    previous = _previous_fix(session, person_id, fixes[0][1].recorded_at)
    for report_id, current in fixes:
        if previous is not None and impossible_speed(
            previous, current, settings.impossible_speed_kmh
        ):
            flagged.add(report_id)
        previous = current
    return flagged


_TIMING = {
    "recorded_in_future": "recorded_at is later than the time of arrival (plus clock skew)",
    "too_old": "recorded_at is older than the oldest report we accept",
}
