"""Declaring connectivity outages (rules.md §9), and reading the ones that can move a deadline.

A declaration is idempotent by (source, source_ref): the unique key decides, so a repeated or
concurrent delivery has one effect, and the same reference with a different content is a 409.
Callers then reschedule everyone whose deadline it may move (monitoring.reschedule).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.connectivity.areas import district_geometry
from amina.connectivity.models import ConnectivityOutage, DeclaredBy
from amina.db import insert_ignoring_conflict
from amina.errors import Conflict, InvalidInput
from amina.rules import area_outages as rules

MAX_WINDOW = timedelta(days=31)
CACHE_REACH = timedelta(days=60)


@dataclass(frozen=True)
class Declared:
    outage: ConnectivityOutage
    duplicate: bool


def declare(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    declared_by: DeclaredBy,
    source: str,
    source_ref: str,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    area: dict[str, Any] | None = None,
    district: str | None = None,
    officer_id: uuid.UUID | None = None,
) -> Declared:
    if (area is None) == (district is None):
        raise InvalidInput("give either an area or a district", code="area_required")
    geometry = area if area is not None else district_geometry(district or "")
    try:
        shape = rules.parse_area(geometry)
    except rules.AreaError as error:
        raise InvalidInput(str(error), code="invalid_area") from None
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("outage bounds need a UTC offset", code="invalid_instant")
    if ends_at <= starts_at:
        raise InvalidInput("an outage must end after it starts", code="invalid_outage")
    if ends_at - starts_at > MAX_WINDOW:
        raise InvalidInput("an outage window is at most 31 days", code="invalid_outage")
    if not reason.strip():
        raise InvalidInput("an outage needs a reason", code="reason_required")
    min_lon, min_lat, max_lon, max_lat = shape.bounds
    outage_id = uuid.uuid4()
    values = {
        "id": outage_id,
        "source": source,
        "source_ref": source_ref,
        "declared_by": declared_by,
        "area": geometry,
        "district": district,
        "min_lat": min_lat,
        "min_lon": min_lon,
        "max_lat": max_lat,
        "max_lon": max_lon,
        "starts_at": starts_at,
        "ends_at": ends_at,
        "reason": reason.strip(),
        "created_by": officer_id,
        "created_at": now,
    }
    if not insert_ignoring_conflict(session, ConnectivityOutage, values, ["source", "source_ref"]):
        existing = session.scalars(
            select(ConnectivityOutage).where(
                ConnectivityOutage.source == source, ConnectivityOutage.source_ref == source_ref
            )
        ).one()
        same = (
            existing.area == geometry
            and existing.starts_at == starts_at
            and existing.ends_at == ends_at
        )
        if not same:
            raise Conflict(
                "this source_ref was already used for a different outage",
                code="source_ref_conflict",
            )
        return Declared(existing, True)
    outage = session.get_one(ConnectivityOutage, outage_id)
    forget(session)
    record(
        session,
        now=now,
        actor=actor,
        action="connectivity_outage.declared",
        subject_type="connectivity_outage",
        subject_id=outage.id,
        reason=reason,
        data={
            "source": source,
            "source_ref": source_ref,
            "district": district,
            "starts_at": starts_at,
            "ends_at": ends_at,
        },
    )
    return Declared(outage, False)


@dataclass(frozen=True)
class Loaded:
    """An outage as the rules see it, with what /me says about it."""

    id: uuid.UUID
    rule: rules.AreaOutage
    reason: str
    district: str | None


def ending_after(session: Session, since: datetime) -> list[Loaded]:
    """Outages whose window ends after `since` (only those can move a deadline after it).

    Loaded once per unit of work (a sweep batch asks for every person in it), reaching back a
    little further than asked so that the next people's older L are served from the same load.
    """
    key = "amina.connectivity"
    floor, loaded = session.info.get(key, (None, []))
    if floor is None or since < floor:
        floor = since - CACHE_REACH
        rows = session.scalars(
            select(ConnectivityOutage).where(ConnectivityOutage.ends_at >= floor)
        )
        loaded = [
            Loaded(
                row.id,
                rules.AreaOutage(rules.parse_area(row.area), row.starts_at, row.ends_at),
                row.reason,
                row.district,
            )
            for row in rows
        ]
        session.info[key] = (floor, loaded)
    return [o for o in loaded if o.rule.ends_at >= since]


def forget(session: Session) -> None:
    session.info.pop("amina.connectivity", None)
