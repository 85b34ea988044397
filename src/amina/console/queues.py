"""Work queues: who is nearest to deregistration (and a manual reminder), cases to claim,
hand off and decide, and the outages and overrides with how many deadlines each moved."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amina.audit.models import AuditEvent
from amina.audit.service import Actor, record
from amina.auth import ratelimit
from amina.calendar.models import CalendarOverride, Outage
from amina.calendar.service import calendar_of
from amina.cases.models import Case
from amina.config import Settings
from amina.console.search import mask
from amina.db import Database
from amina.districts.scope import scope_of
from amina.errors import Conflict, InvalidInput, NotFound
from amina.monitoring.models import MonitoringState
from amina.monitoring.reschedule import reschedule_between
from amina.notifications.catalog import json_params
from amina.notifications.service import notify
from amina.officers.models import Officer
from amina.people.models import Person
from amina.policies import deadline_policy
from amina.registration.models import Registration
from amina.rules.calendar import moscow_date
from amina.rules.deadlines import compute_deadlines
from amina.rules.lifecycle import CaseStatus, RegistrationStatus

DUE_LIMIT = 200


@dataclass(frozen=True)
class Due:
    person_id: uuid.UUID
    surname: str
    citizenship: str
    last_monitoring_at: datetime
    next_step: str | None
    deregistration_at: datetime
    working_days_left: int


def due_soon(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    officer: Officer | None,
    limit: int = 50,
) -> list[Due]:
    """Active registrations nearest to deregistration, by working days left (a partial index
    on next_step_at keeps this proportional to what is due, not to the population), within
    the officer's district scope."""
    rows = session.execute(
        select(MonitoringState, Person.surname, Person.citizenship)
        .join(Person, Person.id == MonitoringState.person_id)
        .join(Registration, Registration.id == MonitoringState.registration_id)
        .where(
            MonitoringState.next_step_at.is_not(None),
            Registration.status == RegistrationStatus.ACTIVE,
            scope_of(session, officer).where(MonitoringState.person_id),
        )
        .order_by(MonitoringState.next_step_at)
        .limit(DUE_LIMIT)
    ).all()
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    policy, today = deadline_policy(settings), moscow_date(now)
    out: list[Due] = []
    for state, surname, citizenship in rows:
        if state.last_monitoring_at is None:
            continue
        deadlines = compute_deadlines(state.last_monitoring_at, calendar, policy)
        last_day = moscow_date(deadlines.deregistration_at) - timedelta(days=1)
        left = calendar.working_days_between(today, last_day) if last_day >= today else 0
        out.append(
            Due(
                state.person_id,
                mask(surname, 1, 0),
                citizenship,
                state.last_monitoring_at,
                state.next_step.value if state.next_step else None,
                deadlines.deregistration_at,
                left,
            )
        )
    out.sort(key=lambda d: (d.deregistration_at, d.person_id))
    return out[:limit]


def send_reminder(
    session: Session, *, now: datetime, settings: Settings, officer: Officer, person_id: uuid.UUID
) -> uuid.UUID:
    """A reminder sent by hand: audited, and rate-limited per person (once a day by default)."""
    bucket = f"manual-reminder:{person_id}"
    ratelimit.check(
        session,
        bucket,
        now=now,
        limit=settings.manual_reminders_per_person_per_day,
        window=timedelta(days=1),
        code="reminder_rate_limited",
    )
    state = session.get(MonitoringState, person_id)
    registration = (
        session.get(Registration, state.registration_id)
        if state and state.registration_id
        else None
    )
    if (
        state is None
        or registration is None
        or registration.status is not RegistrationStatus.ACTIVE
    ):
        raise Conflict("this person has no active registration", code="not_registered")
    if state.last_monitoring_at is None:
        raise Conflict("nothing to remind about yet", code="nothing_to_remind")
    deadlines = compute_deadlines(
        state.last_monitoring_at,
        calendar_of(session, min_available_hours=settings.min_available_hours),
        deadline_policy(settings),
    )
    created = notify(
        session,
        now=now,
        person_id=person_id,
        kind="reminder",
        window=f"manual:{now.isoformat()}",
        params=json_params(
            last_monitoring_on=deadlines.last_monitoring_date,
            deregistration_at=deadlines.deregistration_at,
        ),
    )
    ratelimit.hit(session, bucket, now=now)
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="monitoring.manual_reminder",
        subject_type="person",
        subject_id=person_id,
        data={"notification_id": str(created)},
    )
    if created is None:  # pragma: no cover - the window is the instant: never taken twice
        raise Conflict("this reminder was already sent", code="reminder_rate_limited")
    return created


def cases_queue(
    session: Session,
    *,
    assignee: uuid.UUID | None = None,
    unassigned: bool = False,
    officer: Officer | None,
) -> list[tuple[Case, str | None]]:
    query = (
        select(Case, Officer.display_name)
        .outerjoin(Officer, Officer.id == Case.assigned_to)
        .where(Case.status == CaseStatus.OPEN, scope_of(session, officer).where(Case.person_id))
        .order_by(Case.opened_at, Case.id)
        .limit(300)
    )
    if assignee is not None:
        query = query.where(Case.assigned_to == assignee)
    elif unassigned:
        query = query.where(Case.assigned_to.is_(None))
    return [(row[0], row[1]) for row in session.execute(query).all()]


def claim(session: Session, *, now: datetime, officer: Officer, case_id: uuid.UUID) -> Case:
    """Claim an open, unassigned case: a conditional update, so two officers cannot both win."""
    claimed = session.execute(
        update(Case)
        .where(Case.id == case_id, Case.status == CaseStatus.OPEN, Case.assigned_to.is_(None))
        .values(assigned_to=officer.id, assigned_at=now)
        .returning(Case.id)
    ).first()
    if claimed is None:
        if session.get(Case, case_id) is None:
            raise NotFound("no such case", code="case_not_found")
        raise Conflict("this case is closed or someone already took it", code="case_taken")
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="case.claimed",
        subject_type="case",
        subject_id=case_id,
    )
    case = session.get_one(Case, case_id)
    session.refresh(case)
    return case


def hand_off(
    session: Session,
    *,
    now: datetime,
    officer: Officer,
    case_ids: list[uuid.UUID],
    to: uuid.UUID,
) -> int:
    """Hand open cases to another officer (a supervisor's bulk action)."""
    target = session.get(Officer, to)
    if target is None or target.disabled_at is not None:
        raise InvalidInput("no active officer to hand the cases to", code="unknown_officer")
    if not case_ids:
        raise InvalidInput("choose at least one case", code="no_cases")
    moved = session.execute(
        update(Case)
        .where(Case.id.in_(case_ids), Case.status == CaseStatus.OPEN)
        .values(assigned_to=to, assigned_at=now)
        .returning(Case.id)
    ).all()
    for (case_id,) in moved:
        record(
            session,
            now=now,
            actor=Actor.officer(officer.id),
            action="case.handed_off",
            subject_type="case",
            subject_id=case_id,
            data={"to": str(to)},
        )
    return len(moved)


@dataclass(frozen=True)
class CalendarFact:
    kind: str  # "outage" or "override"
    starts: datetime | None
    ends: datetime | None
    day: object
    reason: str
    source: str
    moved: int | None


def reschedule_and_count(
    db: Database,
    *,
    now: datetime,
    settings: Settings,
    starts_at: datetime,
    ends_at: datetime,
    subject_type: str,
    subject_id: str,
) -> int:
    """Move the deadlines a calendar fact touches, then record how many moved (audited), so
    the outages page can say it."""
    moved = reschedule_between(db, now=now, settings=settings, starts_at=starts_at, ends_at=ends_at)
    with db.unit_of_work() as session:
        record(
            session,
            now=now,
            actor=Actor.system("reschedule"),
            action="calendar.rescheduled",
            subject_type=subject_type,
            subject_id=subject_id,
            data={"moved": moved},
        )
    return moved


def _moved_counts(session: Session, subject_type: str, ids: list[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    if not ids:
        return counts
    for event in session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == "calendar.rescheduled",
            AuditEvent.subject_type == subject_type,
            AuditEvent.subject_id.in_(ids),
        )
        .order_by(AuditEvent.seq)
    ):
        counts[event.subject_id or ""] = counts.get(event.subject_id or "", 0) + int(
            event.data.get("moved", 0)
        )
    return counts


def calendar_facts(session: Session, *, limit: int = 100) -> list[CalendarFact]:
    """Outages (detected and declared) and overrides, newest first, each with the number of
    schedules it moved (null: the rescheduling has not finished yet)."""
    outages = list(session.scalars(select(Outage).order_by(Outage.starts_at.desc()).limit(limit)))
    overrides = list(
        session.scalars(select(CalendarOverride).order_by(CalendarOverride.day.desc()).limit(limit))
    )
    by_outage = _moved_counts(session, "outage", [str(o.id) for o in outages])
    by_day = _moved_counts(session, "calendar_day", [c.day.isoformat() for c in overrides])
    facts = [
        CalendarFact(
            "outage",
            o.starts_at,
            o.ends_at,
            None,
            o.reason,
            o.source.value,
            by_outage.get(str(o.id)),
        )
        for o in outages
    ]
    facts += [
        CalendarFact(
            "override",
            None,
            None,
            c.day,
            c.reason,
            "working" if c.is_working else "day_off",
            by_day.get(c.day.isoformat()),
        )
        for c in overrides
    ]
    return facts
