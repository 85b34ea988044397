"""SQL of the intake hot path (Core, no ORM): one statement to read, two at most to write.

Each statement is built once with SQLAlchemy Core and run on the driver's cursor
(`amina.rawsql.DriverStatement`: compiled once per dialect, prepared on PostgreSQL, values
converted by the columns' own types), without SQLAlchemy's per-execution work.

`intake_facts` reads, in ONE statement: whether the session and the device are still valid
(the revocation check that makes the per-process device cache safe), the person's monitoring
state, the fix before the new ones (for the impossible-speed flag), whether a no_geolocation
deregistration could be touched by these reports (then the general path runs), and the
calendar's fingerprint (so the per-process calendar cache sees an officer's change at once).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, exists, func, literal, null, or_, select, true, update
from sqlalchemy.orm import Session

from amina.auth.models import AuthSession, Device
from amina.calendar.models import CalendarOverride, Outage
from amina.db import table_of
from amina.monitoring.models import (
    LocationReport,
    MonitoringSource,
    MonitoringState,
)
from amina.rawsql import DriverStatements
from amina.registration.models import Registration
from amina.rules.deadlines import Step
from amina.rules.lifecycle import Ground
from amina.rules.reports import Fix

_S = table_of(AuthSession)
_D = table_of(Device)
_M = table_of(MonitoringState)
_R = table_of(LocationReport)
_REG = table_of(Registration)
_CO = table_of(CalendarOverride)
_OU = table_of(Outage)
_UUID = _S.c.id.type  # Uuid (a ForeignKey column's type is resolved later)


@dataclass(frozen=True)
class IntakeFacts:
    revoked: bool
    has_state: bool
    registration_id: uuid.UUID | None
    last_monitoring_at: datetime | None
    last_step: Step | None
    next_step_at: datetime | None
    previous_fix: Fix | None
    late_evidence_possible: bool
    calendar_fingerprint: tuple[object, ...]


def _fingerprint_columns() -> list[object]:
    return [
        select(func.count()).select_from(_CO).scalar_subquery(),
        select(func.count()).select_from(_CO).where(_CO.c.is_working.is_(True)).scalar_subquery(),
        select(func.max(_CO.c.created_at)).scalar_subquery(),
        select(func.count()).select_from(_OU).scalar_subquery(),
        select(func.max(_OU.c.created_at)).scalar_subquery(),
        # A long outage starts to count when a second supervisor approves it (issue 9).
        select(func.max(_OU.c.approved_at)).scalar_subquery(),
    ]


def previous_fix_query(person: Any, before: Any, horizon: Any) -> Any:
    """The fix before the new ones. The lower bound (the speed horizon: an older fix can never
    make a move impossible) lets PostgreSQL skip old day partitions."""
    return (
        select(_R.c.lat, _R.c.lon, _R.c.recorded_at, _R.c.accuracy_m)
        .where(
            _R.c.person_id == person,
            _R.c.heartbeat.is_(False),
            _R.c.recorded_at <= before,
            _R.c.recorded_at >= horizon,
        )
        .order_by(_R.c.recorded_at.desc())
        .limit(1)
    )


def fact_columns(person: Any, earliest: Any, prev: Any, *, by_session: bool) -> list[Any]:
    """The columns of the facts row, in the order `facts_of_row` reads them."""
    late = exists().where(
        _REG.c.person_id == person,
        _REG.c.ground == Ground.NO_GEOLOCATION,
        _REG.c.deregistered_at.is_not(None),
        _REG.c.deregistered_at >= earliest,
    )
    return [
        _D.c.revoked_at,
        _S.c.revoked_at if by_session else literal(None),
        _M.c.person_id,
        _M.c.registration_id,
        _M.c.last_monitoring_at,
        _M.c.last_step,
        prev.c.lat,
        prev.c.lon,
        prev.c.recorded_at,
        prev.c.accuracy_m,
        late,
        _M.c.next_step_at,
        *_fingerprint_columns(),
    ]


def caller_base(key: Any, person: Any, *, by_session: bool) -> tuple[Any, list[Any]]:
    """The caller's session (and its device), or for OwnTracks its device: FROM and WHERE."""
    if by_session:
        return _S.join(_D, _D.c.id == _S.c.device_id), [_S.c.id == key, _S.c.person_id == person]
    return _D, [_D.c.id == key, _D.c.person_id == person]


def facts_of_row(row: Sequence[Any]) -> IntakeFacts:
    fix = None
    if row[6] is not None and row[7] is not None:
        fix = Fix(row[6], row[7], row[8], row[9] or 0.0)
    return IntakeFacts(
        revoked=row[0] is not None or row[1] is not None,
        has_state=row[2] is not None,
        registration_id=row[3],
        last_monitoring_at=row[4],
        last_step=row[5],
        previous_fix=fix,
        late_evidence_possible=bool(row[10]),
        next_step_at=row[11],
        calendar_fingerprint=tuple(row[12:]),
    )


def _facts_statement(_dialect: str, *, by_session: bool, locked: bool) -> Any:
    """Built once per shape, with bound parameters, so SQLAlchemy's compiled cache is hit.

    `locked` (PostgreSQL) joins the monitoring row as an inner join and locks it (FOR UPDATE OF
    it): what the write computes from it (which reports count, the schedule) then cannot go
    stale before the commit, whatever another process, the sweep or a check-in does. No row
    (no session, or no monitoring state yet) → the caller asks again without the lock."""
    person = bindparam("person_id", type_=_UUID)
    # The fix before the new ones, as a one-row derived table joined on true: no join back by
    # id (which probes every day partition's primary key).
    prev = previous_fix_query(
        person,
        bindparam("before", type_=_R.c.recorded_at.type),
        bindparam("horizon", type_=_R.c.recorded_at.type),
    ).subquery("prev")
    columns = fact_columns(
        person,
        bindparam("earliest", type_=_REG.c.deregistered_at.type),
        prev,
        by_session=by_session,
    )
    key_type = _S.c.id.type if by_session else _D.c.id.type
    base, where = caller_base(bindparam("key", type_=key_type), person, by_session=by_session)
    joined = (
        base.join(_M, _M.c.person_id == _D.c.person_id)
        if locked
        else base.outerjoin(_M, _M.c.person_id == _D.c.person_id)
    )
    statement = select(*columns).select_from(joined.outerjoin(prev, true())).where(*where)
    return statement.with_for_update(of=_M) if locked else statement


_FACTS = {
    (by_session, locked): DriverStatements(
        functools.partial(_facts_statement, by_session=by_session, locked=locked)
    )
    for by_session in (True, False)
    for locked in (True, False)
}


def intake_facts(
    session: Session,
    *,
    person_id: uuid.UUID,
    device_id: uuid.UUID,
    session_id: uuid.UUID | None,
    before: datetime,
    earliest: datetime,
    horizon: datetime,
) -> IntakeFacts | None:
    """None if the session (or, for OwnTracks, the device) does not exist.

    On PostgreSQL the person's monitoring row is locked until the commit (one statement in the
    usual case). SQLite has one writer, whose transaction already excludes every other."""
    by_session = session_id is not None
    params = {
        "person_id": person_id,
        "key": session_id if by_session else device_id,
        "before": before,
        "earliest": earliest,
        "horizon": horizon,
    }
    rows: list[Any] = []
    if session.get_bind().dialect.name == "postgresql":
        rows = _FACTS[by_session, True].on(session).rows(session, params)
    if not rows:
        rows = _FACTS[by_session, False].on(session).rows(session, params)
    if not rows:
        return None
    return facts_of_row(rows[0])


def touch_condition(at: Any, day_start: Any) -> list[Any]:
    """Only the instant moves: a later report on the same Moscow date as the stored one, no
    step taken, registered, the reminder next (shared with the group statements)."""
    return [
        _M.c.last_monitoring_at < at,
        _M.c.last_monitoring_at >= day_start,
        _M.c.last_step.is_(None),
        _M.c.registration_id.is_not(None),
        _M.c.next_step == Step.REMINDER,
    ]


def touch_values(at: Any, now: Any) -> dict[str, Any]:
    return {
        "last_monitoring_at": at,
        "last_monitoring_source": MonitoringSource.REPORT,
        "updated_at": now,
    }


def _touch(_dialect: str) -> Any:
    at = bindparam("b_at", type_=_M.c.last_monitoring_at.type)
    return (
        update(_M)
        .where(
            _M.c.person_id == bindparam("b_person", type_=_UUID),
            *touch_condition(at, bindparam("b_day_start", type_=_M.c.last_monitoring_at.type)),
        )
        .values(touch_values(at, bindparam("b_now", type_=_M.c.updated_at.type)))
        .returning(_M.c.person_id)
    )


_REGISTERED = _M.c.registration_id.is_not(None)


def advance_condition(at: Any) -> Any:
    """The instant moves forward only (rules.md §4), evaluated under the row's lock."""
    return or_(_M.c.last_monitoring_at.is_(None), _M.c.last_monitoring_at < at)


def advance_values(at: Any, reminder_at: Any, now: Any) -> dict[str, Any]:
    """The count restarts: pending steps are cancelled, the next one is the reminder."""
    return {
        **touch_values(at, now),
        "last_step": None,
        "next_step": case((_REGISTERED, literal(Step.REMINDER, _M.c.next_step.type)), else_=null()),
        "next_step_at": case((_REGISTERED, reminder_at), else_=null()),
    }


def _advance(_dialect: str) -> Any:
    at = bindparam("b_at", type_=_M.c.last_monitoring_at.type)
    return (
        update(_M)
        .where(_M.c.person_id == bindparam("b_person", type_=_UUID), advance_condition(at))
        .values(
            advance_values(
                at,
                bindparam("b_reminder_at", type_=_M.c.next_step_at.type),
                bindparam("b_now", type_=_M.c.updated_at.type),
            )
        )
        .returning(_M.c.person_id)
    )


_TOUCH = DriverStatements(_touch)
_ADVANCE = DriverStatements(_advance)


def touch_same_day(
    session: Session,
    *,
    person_id: uuid.UUID,
    recorded_at: datetime,
    day_start: datetime,
    now: datetime,
) -> bool:
    """A later report on the same Moscow date as the last one, no step taken yet: only the
    instant moves, the schedule (which depends on the date alone) stays. False if the row is
    not in that state (then `advance` recomputes)."""
    params = {"b_person": person_id, "b_at": recorded_at, "b_day_start": day_start, "b_now": now}
    return bool(_TOUCH.on(session).rows(session, params))


def advance(
    session: Session,
    *,
    person_id: uuid.UUID,
    recorded_at: datetime,
    reminder_at: datetime,
    now: datetime,
) -> bool:
    """Move the last monitoring instant if `recorded_at` is later (rules.md §4): the count
    restarts, pending steps are cancelled and the next one is the reminder (if registered).
    The condition is evaluated under the row's lock, so concurrent reports stay monotonic."""
    params = {
        "b_person": person_id,
        "b_at": recorded_at,
        "b_now": now,
        "b_reminder_at": reminder_at,
    }
    return bool(_ADVANCE.on(session).rows(session, params))
