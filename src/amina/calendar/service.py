"""The working-day calendar as the database knows it today: overrides and outages included."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.calendar.models import CalendarOverride, Outage, OutageSource, OutageStatus
from amina.errors import Conflict, Forbidden, InvalidInput, NotFound
from amina.rules import calendar as rules
from amina.rules.outages import OutageBounds, OutageRefused, OutageVerdict, check_declared

# Outages further back than this cannot change any deadline that is still open.
OUTAGE_LOOKBACK = timedelta(days=60)


def load_calendar(
    session: Session, *, min_available_hours: float, since: datetime | None = None
) -> rules.WorkingCalendar:
    """The calendar with every override, and the days lost to outages that end after `since`."""
    overrides = {row.day: row.is_working for row in session.scalars(select(CalendarOverride))}
    outages = select(Outage).where(Outage.status == OutageStatus.ACTIVE)
    if since is not None:
        outages = outages.where(Outage.ends_at >= since - OUTAGE_LOOKBACK)
    lost = rules.days_lost_to_outages(
        (rules.Outage(o.starts_at, o.ends_at) for o in session.scalars(outages)),
        min_available_hours,
    )
    return rules.WorkingCalendar(overrides=overrides, lost_days=lost)


def calendar_of(session: Session, *, min_available_hours: float) -> rules.WorkingCalendar:
    """Today's calendar, loaded once per unit of work: a request or a sweep batch reads it
    many times (schedule, view), the tables once. Writes to the calendar drop the copy."""
    key = ("amina.calendar", min_available_hours)
    calendar = session.info.get(key)
    if calendar is None:
        calendar = session.info[key] = load_calendar(
            session, min_available_hours=min_available_hours
        )
    return calendar


def _forget_calendar(session: Session) -> None:
    for key in [k for k in session.info if isinstance(k, tuple) and k[0] == "amina.calendar"]:
        del session.info[key]


def set_override(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    day: date,
    is_working: bool,
    reason: str,
    officer_id: uuid.UUID | None = None,
) -> CalendarOverride:
    if not reason.strip():
        raise InvalidInput("an override needs a reason", code="reason_required")
    override = session.get(CalendarOverride, day)
    if override is None:
        override = CalendarOverride(day=day, created_at=now)
        session.add(override)
    override.is_working, override.reason, override.created_by = is_working, reason, officer_id
    _forget_calendar(session)
    record(
        session,
        now=now,
        actor=actor,
        action="calendar.override_set",
        subject_type="calendar_day",
        subject_id=day.isoformat(),
        reason=reason,
        data={"is_working": is_working},
    )
    session.flush()
    return override


def add_outage(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    source: OutageSource,
    officer_id: uuid.UUID | None = None,
    status: OutageStatus = OutageStatus.ACTIVE,
) -> Outage:
    """Record an outage. Callers then reschedule everyone whose deadlines it moves."""
    if starts_at.tzinfo is None or ends_at.tzinfo is None:
        raise InvalidInput("outage bounds need a UTC offset", code="invalid_instant")
    if ends_at <= starts_at:
        raise InvalidInput("an outage must end after it starts", code="invalid_outage")
    if not reason.strip():
        raise InvalidInput("an outage needs a reason", code="reason_required")
    outage = Outage(
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        source=source,
        created_by=officer_id,
        created_at=now,
        status=status,
    )
    session.add(outage)
    session.flush()
    _forget_calendar(session)
    record(
        session,
        now=now,
        actor=actor,
        action="outage.recorded" if status is OutageStatus.ACTIVE else "outage.proposed",
        subject_type="outage",
        subject_id=outage.id,
        reason=reason,
        data={"starts_at": starts_at, "ends_at": ends_at, "source": source.value},
    )
    return outage


def declare_outage(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    bounds: OutageBounds,
    last_sweep_at: datetime | None,
    officer_id: uuid.UUID | None = None,
) -> Outage:
    """A person's declaration of an outage, within its bounds. One longer than the limit is
    only proposed: it changes no deadline until a second supervisor approves it."""
    try:
        verdict = check_declared(
            starts_at, ends_at, now=now, last_sweep_at=last_sweep_at, bounds=bounds
        )
    except OutageRefused as refused:
        raise InvalidInput(refused.message, code=refused.code) from None
    status = OutageStatus.ACTIVE if verdict is OutageVerdict.ACCEPTED else OutageStatus.PROPOSED
    return add_outage(
        session,
        now=now,
        actor=actor,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason,
        source=OutageSource.DECLARED,
        officer_id=officer_id,
        status=status,
    )


def approve_outage(
    session: Session, *, now: datetime, actor: Actor, officer_id: uuid.UUID, outage_id: uuid.UUID
) -> Outage:
    """Four eyes: a second officer (never the one who declared it) makes a long outage count.
    A conditional update, so two approvals at once approve it once."""
    outage = session.get(Outage, outage_id)
    if outage is None:
        raise NotFound("no such outage", code="outage_not_found")
    if outage.created_by == officer_id:
        raise Forbidden("a second supervisor must approve an outage you declared", code="four_eyes")
    approved = session.execute(
        update(Outage)
        .where(Outage.id == outage_id, Outage.status == OutageStatus.PROPOSED)
        .values(status=OutageStatus.ACTIVE, approved_by=officer_id, approved_at=now)
        .returning(Outage.id)
        .execution_options(synchronize_session=False)
    ).first()
    if approved is None:
        raise Conflict("this outage is not waiting for approval", code="outage_not_proposed")
    session.refresh(outage)
    _forget_calendar(session)
    record(
        session,
        now=now,
        actor=actor,
        action="outage.approved",
        subject_type="outage",
        subject_id=outage.id,
        data={"starts_at": outage.starts_at, "ends_at": outage.ends_at},
    )
    return outage
