"""The worker's side of the districts: (re)loading the boundaries and placing people by their
fixes (`place_people`). It reads the intake's tables (location reports, monitoring states), so
it sits above monitoring; `districts.service` and `districts.scope` (used by cases, officers
and registration, below monitoring) do not.

After a (re)load, new reports are read after a cursor (by id, off the intake's hot path), and a
backfill pass walks every monitoring state once and places each person by the fix of their last
monitoring instant and their current residence's place. Only the district code is kept.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

import shapely
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.districts import repo, service
from amina.districts.models import DistrictArea, DistrictProgress, PersonDistrict
from amina.monitoring.models import LocationReport, MonitoringState
from amina.registration.models import Residence
from amina.rules import districts as rules

PROGRESS = "placement"
# Reports younger than this are left for the next run: an intake transaction that took an
# earlier id may not have committed yet, and the cursor must not pass it.
COMMIT_LAG = timedelta(seconds=30)
Fixes = dict[uuid.UUID, tuple[datetime, float, float]]


def load(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    districts: list[rules.District],
    source: str,
) -> int:
    """Replace every district with `districts`; people are placed again from scratch."""
    session.execute(delete(DistrictArea))
    session.execute(delete(PersonDistrict))
    for district in districts:
        session.add(
            DistrictArea(
                code=district.code,
                name=district.name,
                geometry=shapely.geometry.mapping(district.geometry),
                loaded_at=now,
            )
        )
    progress = _progress(session, now)
    # New reports are read from here on; the backfill places everyone known up to now.
    progress.last_report_id = int(session.scalar(select(func.max(LocationReport.id))) or 0)
    progress.backfill_after = None
    progress.backfilling = bool(districts)
    record(
        session,
        now=now,
        actor=actor,
        action="districts.loaded",
        subject_type="districts",
        data={"count": len(districts), "codes": [d.code for d in districts], "source": source},
    )
    session.flush()
    return len(districts)


def _progress(session: Session, now: datetime) -> DistrictProgress:
    progress = session.get(DistrictProgress, PROGRESS, with_for_update=True)
    if progress is None:
        progress = DistrictProgress(
            name=PROGRESS, last_report_id=0, backfilling=False, updated_at=now
        )
        session.add(progress)
    progress.updated_at = now
    return progress


def _place(
    session: Session,
    *,
    now: datetime,
    where: rules.DistrictIndex,
    fixes: Fixes,
) -> int:
    """Move each person's last known district to their fix, unless a later fix placed them."""
    if not fixes:
        return 0
    rows = {
        row.person_id: row
        for row in session.scalars(
            select(PersonDistrict).where(PersonDistrict.person_id.in_(list(fixes)))
        )
    }
    moved = 0
    for person_id, (at, lat, lon) in fixes.items():
        row = rows.get(person_id)
        if row is None:
            row = PersonDistrict(person_id=person_id, updated_at=now)
            session.add(row)
        elif row.last_known_at is not None and row.last_known_at >= at:
            continue
        district = where.locate(lat, lon)
        moved += district != row.last_known_district
        row.last_known_district, row.last_known_at, row.updated_at = district, at, now
    return moved


def place_people(session: Session, *, now: datetime, batch: int = 5000) -> Counter[str]:
    """One step of the worker's placement: a batch of new fixes, and a batch of the backfill."""
    if not repo.any_loaded(session):
        return Counter()
    where, progress = service.index(session), _progress(session, now)
    done: Counter[str] = Counter()
    last_id, fixes = fixes_after(session, progress.last_report_id, now - COMMIT_LAG, batch)
    done["moved"] += _place(session, now=now, where=where, fixes=fixes)
    done["people_seen"] += len(fixes)
    progress.last_report_id = last_id
    if progress.backfilling:
        after, fixes, homes = backfill(session, progress.backfill_after, batch)
        done["backfilled"] += _place(session, now=now, where=where, fixes=fixes)
        done["residences"] += service.place_residences(session, now=now, where=where, places=homes)
        progress.backfill_after = after
        progress.backfilling = after is not None
    session.flush()
    return done


# -- the fixes that place people ------------------------------------------------------------


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
