"""Which connectivity outages cover a person, and the calendar their deadlines count in.

A person is covered when the report that set their last monitoring instant lies in the outage's
area, allowing for its accuracy (rules.area_outages). That report is their last accepted report
before or during any window that can still move their deadline: a window ending before L moves
nothing after L, and a report after L would have become the new L.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.calendar.models import Outage
from amina.config import Settings
from amina.connectivity.service import Loaded, ending_after
from amina.monitoring.models import LocationReport
from amina.monitoring.schemas import ConnectivityOutageOut
from amina.rules import area_outages as rules
from amina.rules.calendar import Outage as OutageWindow
from amina.rules.calendar import WorkingCalendar


def last_fix(session: Session, person_id: uuid.UUID, at: datetime) -> rules.Fix | None:
    row = session.execute(
        select(LocationReport.lat, LocationReport.lon, LocationReport.accuracy_m)
        .where(
            LocationReport.person_id == person_id,
            LocationReport.recorded_at == at,
            LocationReport.heartbeat.is_(False),
            LocationReport.lat.is_not(None),
            LocationReport.lon.is_not(None),
        )
        .order_by(LocationReport.accuracy_m.desc())  # the least precise: the benefit of doubt
        .limit(1)
    ).one_or_none()
    if row is None:
        return None
    return rules.Fix(row.lat, row.lon, row.accuracy_m, at)


def covering(
    session: Session, person_id: uuid.UUID, last_monitoring_at: datetime
) -> tuple[list[Loaded], rules.Fix | None]:
    outages = ending_after(session, last_monitoring_at)
    if not outages:
        return [], None
    fix = last_fix(session, person_id, last_monitoring_at)
    applying = {id(o) for o in rules.covering([o.rule for o in outages], fix)}
    return [o for o in outages if id(o.rule) in applying], fix


def area_lost_days(
    session: Session, settings: Settings, person_id: uuid.UUID, last_monitoring_at: datetime
) -> frozenset[date]:
    applying, fix = covering(session, person_id, last_monitoring_at)
    if not applying:
        return frozenset()
    first = min(o.rule.starts_at for o in applying)
    last = max(o.rule.ends_at for o in applying)
    service = [
        OutageWindow(row.starts_at, row.ends_at)
        for row in session.scalars(
            select(Outage).where(Outage.ends_at >= first, Outage.starts_at <= last)
        )
    ]
    return rules.lost_days(
        [o.rule for o in applying], fix, settings.min_available_hours, service_outages=service
    )


def person_calendar(
    session: Session,
    settings: Settings,
    person_id: uuid.UUID,
    last_monitoring_at: datetime,
    calendar: WorkingCalendar,
) -> WorkingCalendar:
    """`calendar` with the days this person lost to connectivity outages skipped too."""
    return rules.for_person(
        calendar, area_lost_days(session, settings, person_id, last_monitoring_at)
    )


def outages_moving(
    session: Session, person_id: uuid.UUID, last_monitoring_at: datetime
) -> list[ConnectivityOutageOut]:
    """What /me shows as the reason the deadlines moved."""
    applying, _ = covering(session, person_id, last_monitoring_at)
    return [
        ConnectivityOutageOut(
            starts_at=o.rule.starts_at, ends_at=o.rule.ends_at, reason=o.reason, district=o.district
        )
        for o in sorted(applying, key=lambda o: o.rule.starts_at)
    ]
