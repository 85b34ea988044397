"""The districts' queries: the loaded districts, and the fixes that place people."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.districts.models import DistrictArea
from amina.monitoring.models import LocationReport, MonitoringState
from amina.registration.models import Residence

Fixes = dict[uuid.UUID, tuple[datetime, float, float]]


def listed(session: Session) -> list[DistrictArea]:
    return list(session.scalars(select(DistrictArea).order_by(DistrictArea.code)))


def any_loaded(session: Session) -> bool:
    return session.scalar(select(DistrictArea.code).limit(1)) is not None


def latest(rows: Any) -> Fixes:
    latest: Fixes = {}
    for person_id, at, lat, lon in rows:
        if person_id not in latest or latest[person_id][0] < at:
            latest[person_id] = (at, lat, lon)
    return latest


def fixes_after(session: Session, after_id: int, until: datetime, batch: int) -> tuple[int, Fixes]:
    rows = session.execute(
        select(
            LocationReport.id,
            LocationReport.person_id,
            LocationReport.recorded_at,
            LocationReport.lat,
            LocationReport.lon,
        )
        .where(
            LocationReport.id > after_id,
            LocationReport.received_at <= until,
            LocationReport.counted.is_(True),
            LocationReport.heartbeat.is_(False),
            LocationReport.lat.is_not(None),
            LocationReport.lon.is_not(None),
        )
        .order_by(LocationReport.id)
        .limit(batch)
    ).all()
    last = rows[-1].id if rows else after_id
    return last, latest((r.person_id, r.recorded_at, r.lat, r.lon) for r in rows)


def backfill(
    session: Session, after: uuid.UUID | None, batch: int
) -> tuple[uuid.UUID | None, Fixes, dict[uuid.UUID, str | None]]:
    query = select(MonitoringState.person_id).order_by(MonitoringState.person_id).limit(batch)
    if after is not None:
        query = query.where(MonitoringState.person_id > after)
    ids = list(session.scalars(query))
    if not ids:
        return None, {}, {}
    rows = session.execute(
        select(
            LocationReport.person_id,
            LocationReport.recorded_at,
            LocationReport.lat,
            LocationReport.lon,
        )
        .join(
            MonitoringState,
            (MonitoringState.person_id == LocationReport.person_id)
            & (MonitoringState.last_monitoring_at == LocationReport.recorded_at),
        )
        .where(
            MonitoringState.person_id.in_(ids),
            LocationReport.heartbeat.is_(False),
            LocationReport.lat.is_not(None),
            LocationReport.lon.is_not(None),
        )
    ).all()
    homes = {
        r.person_id: r.place
        for r in session.execute(
            select(Residence.person_id, Residence.place).where(
                Residence.person_id.in_(ids), Residence.ended_on.is_(None)
            )
        )
        if r.place
    }
    return ids[-1], latest((r.person_id, r.recorded_at, r.lat, r.lon) for r in rows), homes
