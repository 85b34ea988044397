"""The intake's statements for a whole group commit: one statement for the group, not one per
request.

A group of N requests (N people) on PostgreSQL: one read of every request's facts, which locks
the N monitoring rows in person order (the order every group of every process takes them, so
groups wait on each other but never deadlock); one insert of all their reports
(`reportrows.insert_reports`); one update for the people whose same-day shortcut applies and one for
the rest. That is four round trips for the group instead of about 3N: the per-statement cost
of the driver and of PostgreSQL was most of a single report's CPU.

The values travel as one array per column (`unnest`), so the statement text is the same for
every group size and PostgreSQL prepares it once. A group of one, and SQLite (one writer in
the same process: there are no round trips to save), run repo.py's single-row statements.

Each function keeps the meaning of its single-row counterpart in repo.py, and the two share
their conditions and values (`repo.touch_condition`, `repo.advance_values`, …).
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Text, bindparam, cast, column, func, select, true, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from amina.auth.models import AuthSession, Device
from amina.db import UtcDateTime, table_of
from amina.monitoring import repo
from amina.monitoring.models import MonitoringState
from amina.rawsql import DriverStatements

_M = table_of(MonitoringState)
_D = table_of(Device)
_UUID = table_of(AuthSession).c.id.type


@dataclass(frozen=True)
class FactsKey:
    """What one request's facts are read by (`repo.intake_facts`' arguments)."""

    person_id: uuid.UUID
    device_id: uuid.UUID
    session_id: uuid.UUID | None
    before: datetime
    earliest: datetime
    horizon: datetime


def _arrays(*names_and_types: tuple[str, Any]) -> Any:
    """`unnest(:a::T[], :b::U[], …) AS v(a, b, …)`: one bound array per column, one row per
    item. Each array is bound as ONE text value, an array literal (`_uuids`, `_instants`,
    `_ints`), which PostgreSQL parses: psycopg's list dumper, element by element in Python,
    was an eighth of the process's GIL time at 64 signed reports in flight (py-spy,
    docs/performance.md, "Seventh run")."""
    arrays = [
        cast(bindparam(f"{name}s", type_=Text()), ARRAY(kind)) for name, kind in names_and_types
    ]
    columns = [column(name, kind) for name, kind in names_and_types]
    return func.unnest(*arrays).table_valued(*columns).render_derived(name="v")


def _uuids(values: Iterable[uuid.UUID]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _ints(values: Iterable[int]) -> str:
    return "{" + ",".join(map(str, values)) + "}"


def _instants(values: Iterable[datetime]) -> str:
    """Aware instants only (as `UtcDateTime` binds them): PostgreSQL would read a naive one in
    the session's time zone."""
    return "{" + ",".join(map(_instant, values)) + "}"


def _instant(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError("naive datetime given to a UTC column")
    return value.isoformat()


def _facts_many(_dialect: str, *, by_session: bool) -> Any:
    v = _arrays(
        ("ord", Integer()),
        ("person_id", _UUID),
        ("key", _UUID),
        ("before", UtcDateTime()),
        ("horizon", UtcDateTime()),
        ("earliest", UtcDateTime()),
    )
    prev = repo.previous_fix_query(v.c.person_id, v.c.before, v.c.horizon).lateral("prev")
    base, where = repo.caller_base(v.c.key, v.c.person_id, by_session=by_session)
    joined = v.join(base, true()).join(_M, _M.c.person_id == _D.c.person_id).outerjoin(prev, true())
    return (
        select(
            v.c.ord, *repo.fact_columns(v.c.person_id, v.c.earliest, prev, by_session=by_session)
        )
        .select_from(joined)
        .where(*where)
        .order_by(_M.c.person_id)
        .with_for_update(of=_M)
    )


_FACTS_MANY = {
    by_session: DriverStatements(functools.partial(_facts_many, by_session=by_session))
    for by_session in (True, False)
}


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def intake_facts_many(session: Session, keys: Sequence[FactsKey]) -> list[repo.IntakeFacts | None]:
    """`repo.intake_facts` for each key, in order, with the monitoring rows locked until the
    commit. The people must be distinct (one request each). A request the locked read does
    not find (no session, or no monitoring row yet) is asked again on its own."""
    found: dict[int, repo.IntakeFacts] = {}
    if len(keys) > 1 and _postgres(session):
        for by_session in (True, False):
            shape = [(i, k) for i, k in enumerate(keys) if (k.session_id is not None) is by_session]
            if not shape:
                continue
            params = {
                "ords": _ints(i for i, _ in shape),
                "person_ids": _uuids(k.person_id for _, k in shape),
                # the session's id; the device's when there is none (OwnTracks)
                "keys": _uuids(k.session_id or k.device_id for _, k in shape),
                "befores": _instants(k.before for _, k in shape),
                "horizons": _instants(k.horizon for _, k in shape),
                "earliests": _instants(k.earliest for _, k in shape),
            }
            for row in _FACTS_MANY[by_session].on(session).rows(session, params):
                found[row[0]] = repo.facts_of_row(row[1:])
    return [
        found[i]
        if i in found
        else repo.intake_facts(
            session,
            person_id=k.person_id,
            device_id=k.device_id,
            session_id=k.session_id,
            before=k.before,
            earliest=k.earliest,
            horizon=k.horizon,
        )
        for i, k in enumerate(keys)
    ]


@dataclass(frozen=True)
class Touch:
    """Move only the instant (`repo.touch_same_day`)."""

    person_id: uuid.UUID
    recorded_at: datetime
    day_start: datetime
    now: datetime


@dataclass(frozen=True)
class Advance:
    """Move the instant and restart the count (`repo.advance`)."""

    person_id: uuid.UUID
    recorded_at: datetime
    reminder_at: datetime
    now: datetime


def _touch_many(_dialect: str) -> Any:
    v = _arrays(
        ("person_id", _UUID),
        ("at", UtcDateTime()),
        ("day_start", UtcDateTime()),
        ("now", UtcDateTime()),
    )
    return (
        update(_M)
        .where(_M.c.person_id == v.c.person_id, *repo.touch_condition(v.c.at, v.c.day_start))
        .values(repo.touch_values(v.c.at, v.c.now))
        .returning(_M.c.person_id)
    )


def _advance_many(_dialect: str) -> Any:
    v = _arrays(
        ("person_id", _UUID),
        ("at", UtcDateTime()),
        ("reminder_at", UtcDateTime()),
        ("now", UtcDateTime()),
    )
    return (
        update(_M)
        .where(_M.c.person_id == v.c.person_id, repo.advance_condition(v.c.at))
        .values(repo.advance_values(v.c.at, v.c.reminder_at, v.c.now))
        .returning(_M.c.person_id)
    )


_TOUCH_MANY = DriverStatements(_touch_many)
_ADVANCE_MANY = DriverStatements(_advance_many)


def touch_same_day_many(session: Session, touches: Sequence[Touch]) -> set[uuid.UUID]:
    """The people whose row was in the same-day state and moved (the rest need `advance`)."""
    if len(touches) > 1 and _postgres(session):
        params = {
            "person_ids": _uuids(t.person_id for t in touches),
            "ats": _instants(t.recorded_at for t in touches),
            "day_starts": _instants(t.day_start for t in touches),
            "nows": _instants(t.now for t in touches),
        }
        return {row[0] for row in _TOUCH_MANY.on(session).rows(session, params)}
    return {
        t.person_id
        for t in touches
        if repo.touch_same_day(
            session,
            person_id=t.person_id,
            recorded_at=t.recorded_at,
            day_start=t.day_start,
            now=t.now,
        )
    }


def advance_many(session: Session, advances: Sequence[Advance]) -> None:
    """`repo.advance` for each (distinct people)."""
    if len(advances) > 1 and _postgres(session):
        params = {
            "person_ids": _uuids(a.person_id for a in advances),
            "ats": _instants(a.recorded_at for a in advances),
            "reminder_ats": _instants(a.reminder_at for a in advances),
            "nows": _instants(a.now for a in advances),
        }
        _ADVANCE_MANY.on(session).rows(session, params)
        return
    for a in advances:
        repo.advance(
            session,
            person_id=a.person_id,
            recorded_at=a.recorded_at,
            reminder_at=a.reminder_at,
            now=a.now,
        )
