"""Loading district boundaries, assigning an officer's district, and placing people in districts.

A person's district is stored (`person_districts`, indexed), not computed per query: at city
scale a police officer's search and queues need a SQL filter, and a point-in-polygon per row
per query would not do. A residence is placed when it is declared, by the place the person
gave (a new residence without one clears it). The worker keeps the last known district
(`place_people`): it reads the counted location reports after its cursor (by id, off the
intake's hot path) and moves it when a later fix arrives. After a (re)load of the boundaries,
a backfill pass walks every monitoring state once and places each person by the fix of their
last monitoring instant and their current residence's place. The fixes' coordinates are never
copied: only the district code is kept.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta

import shapely
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.districts import repo
from amina.districts.models import DistrictArea, DistrictProgress, PersonDistrict
from amina.errors import InvalidInput
from amina.monitoring.models import LocationReport
from amina.officers.models import Officer
from amina.rules import districts as rules

PROGRESS = "placement"
# Reports younger than this are left for the next run: an intake transaction that took an
# earlier id may not have committed yet, and the cursor must not pass it.
COMMIT_LAG = timedelta(seconds=30)
_cache: dict[tuple[int, datetime | None], rules.DistrictIndex] = {}


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


def listed(session: Session) -> list[DistrictArea]:
    return repo.listed(session)


def check_code(session: Session, code: str | None) -> str | None:
    """A district code that exists in the loaded districts (or None to clear), else 422."""
    if code is None or not code.strip():
        return None
    code = code.strip()
    if session.get(DistrictArea, code) is None:
        raise InvalidInput(
            "no such district: load the districts first (amina districts list)",
            code="unknown_district",
        )
    return code


def set_officer_district(
    session: Session, *, now: datetime, actor: Actor, officer: Officer, district: str | None
) -> Officer:
    officer.district = check_code(session, district)
    record(
        session,
        now=now,
        actor=actor,
        action="officer.district_set",
        subject_type="officer",
        subject_id=officer.id,
        data={"district": officer.district},
    )
    return officer


def index(session: Session) -> rules.DistrictIndex:
    """The loaded districts as a point-in-polygon index (rebuilt only when they change)."""
    count, loaded = session.execute(
        select(func.count(DistrictArea.code), func.max(DistrictArea.loaded_at))
    ).one()
    key = (int(count), loaded)
    if key not in _cache:
        _cache.clear()
        _cache[key] = rules.DistrictIndex(
            rules.District(a.code, a.name, shapely.geometry.shape(a.geometry))
            for a in repo.listed(session)
        )
    return _cache[key]


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
    fixes: repo.Fixes,
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


def parse_place(place: str | None) -> tuple[float, float] | None:
    if not place:
        return None
    lat, lon = place.split(",")
    return float(lat), float(lon)


def _place_residences(
    session: Session,
    *,
    now: datetime,
    where: rules.DistrictIndex,
    places: dict[uuid.UUID, str | None],
) -> int:
    """Set each person's residence district from their residence's place (or clear it)."""
    rows = {
        row.person_id: row
        for row in session.scalars(
            select(PersonDistrict).where(PersonDistrict.person_id.in_(list(places)))
        )
    }
    placed = 0
    for person_id, place in places.items():
        point = parse_place(place)
        district = where.locate(*point) if point else None
        row = rows.get(person_id)
        if row is None:
            if district is None:
                continue
            row = PersonDistrict(person_id=person_id)
            session.add(row)
        row.residence_district, row.updated_at = district, now
        placed += district is not None
    return placed


def place_residence(
    session: Session, *, now: datetime, person_id: uuid.UUID, place: str | None
) -> None:
    """At a residence change: its district (none without a place: the person moved)."""
    if repo.any_loaded(session):
        _place_residences(session, now=now, where=index(session), places={person_id: place})
        session.flush()


def place_people(session: Session, *, now: datetime, batch: int = 5000) -> Counter[str]:
    """One step of the worker's placement: a batch of new fixes, and a batch of the backfill."""
    if not repo.any_loaded(session):
        return Counter()
    where, progress = index(session), _progress(session, now)
    done: Counter[str] = Counter()
    last_id, fixes = repo.fixes_after(session, progress.last_report_id, now - COMMIT_LAG, batch)
    done["moved"] += _place(session, now=now, where=where, fixes=fixes)
    done["people_seen"] += len(fixes)
    progress.last_report_id = last_id
    if progress.backfilling:
        after, fixes, homes = repo.backfill(session, progress.backfill_after, batch)
        done["backfilled"] += _place(session, now=now, where=where, fixes=fixes)
        done["residences"] += _place_residences(session, now=now, where=where, places=homes)
        progress.backfill_after = after
        progress.backfilling = after is not None
    session.flush()
    return done
