"""The districts' queries below monitoring (the fixes that place people: `placement`)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.districts.models import DistrictArea


def listed(session: Session) -> list[DistrictArea]:
    return list(session.scalars(select(DistrictArea).order_by(DistrictArea.code)))


def any_loaded(session: Session) -> bool:
    return session.scalar(select(DistrictArea.code).limit(1)) is not None
