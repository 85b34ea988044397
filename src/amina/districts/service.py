"""The districts below monitoring: the loaded boundaries, an officer's district, a residence's
district. Loading and the worker's placement by fixes are in `districts.placement`.

A person's district is stored (`person_districts`, indexed), not computed per query: at city
scale a police officer's search and queues need a SQL filter, and a point-in-polygon per row
per query would not do. A residence is placed when it is declared, by the place the person
gave (a new residence without one clears it). The worker keeps the last known district
(`placement.place_people`) from the counted location reports. The fixes' coordinates are
never copied: only the district code is kept.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.districts import repo
from amina.districts.models import DistrictArea, PersonDistrict
from amina.errors import InvalidInput
from amina.officers.models import Officer
from amina.rules import districts as rules

_cache: dict[tuple[int, datetime | None], rules.DistrictIndex] = {}


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


def parse_place(place: str | None) -> tuple[float, float] | None:
    if not place:
        return None
    lat, lon = place.split(",")
    return float(lat), float(lon)


def place_residences(
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
        place_residences(session, now=now, where=index(session), places={person_id: place})
        session.flush()
