"""The monitoring sweep: reminder, final warning and deregistration (rules.md §4–§6).

- It reads only rows whose `next_step_at` has come (a partial index), so its cost follows what
  is due, not the population.
- Before acting it recomputes the deadline from the facts as they are now (the last monitoring
  instant, today's calendar with overrides and outages). A stored schedule that is stale can
  therefore only make a step late, never early: no one is deregistered on an old calculation.
- A batch is planned person by person, then written with a few set-based statements (steps,
  notifications, audit events), so 10,000 due steps cost tens of statements, not 90,000. If
  the batch fails, its people are retried one by one, each in a savepoint of its own: one
  failure is logged and rolled back alone, and the rest go on.
- Rows are taken FOR UPDATE SKIP LOCKED and each step is recorded once per (person, last
  monitoring instant), so two sweeps never take a step twice.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, Event, record_many
from amina.bulk import insert_rows, update_rows
from amina.calendar.service import load_calendar
from amina.config import Settings
from amina.db import Database
from amina.monitoring.areas import area_lost_days
from amina.monitoring.deregistration import deregister
from amina.monitoring.models import MonitoringState, StepTaken
from amina.notifications.catalog import json_params
from amina.notifications.service import Message, notify_many
from amina.people.models import Person
from amina.people.service import facts_of
from amina.policies import deadline_policy, eligibility_policy
from amina.registration.models import Registration
from amina.rules.area_outages import for_person
from amina.rules.calendar import WorkingCalendar, moscow_date
from amina.rules.deadlines import Deadlines, Step, compute_deadlines, next_step, step_to_take
from amina.rules.eligibility import evaluate
from amina.rules.lifecycle import Ground, RegistrationStatus

log = logging.getLogger("amina.sweep")
SYSTEM = Actor.system("monitoring-sweep")


@dataclass(frozen=True)
class Due:
    """A person whose next step has come: just the columns the decision needs."""

    person_id: uuid.UUID
    registration_id: uuid.UUID | None
    registration_active: bool
    last_monitoring_at: datetime | None
    last_step: Step | None


def due(
    session: Session, *, now: datetime, limit: int, exclude: Sequence[uuid.UUID] = ()
) -> list[Due]:
    """The people whose next step has come, oldest first, locked for this transaction."""
    query = (
        select(
            MonitoringState.person_id,
            MonitoringState.registration_id,
            Registration.status,
            MonitoringState.last_monitoring_at,
            MonitoringState.last_step,
        )
        .outerjoin(Registration, Registration.id == MonitoringState.registration_id)
        .where(MonitoringState.next_step_at.is_not(None), MonitoringState.next_step_at <= now)
        .order_by(MonitoringState.next_step_at)
        .limit(limit)
        .with_for_update(of=MonitoringState, skip_locked=True)
    )
    if exclude:
        query = query.where(MonitoringState.person_id.not_in(exclude))
    return [
        Due(
            row.person_id,
            row.registration_id,
            row.status is RegistrationStatus.ACTIVE,
            row.last_monitoring_at,
            row.last_step,
        )
        for row in session.execute(query)
    ]


@dataclass(frozen=True)
class Skip:
    """No active registration any more: nothing to monitor."""

    item: Due


@dataclass(frozen=True)
class Reschedule:
    """The facts moved the deadline: not due after all."""

    item: Due
    deadlines: Deadlines


@dataclass(frozen=True)
class Take:
    item: Due
    registration_id: uuid.UUID
    last_monitoring_at: datetime
    step: Step
    deadlines: Deadlines
    legal_effect: bool

    @property
    def deregisters(self) -> bool:
        return self.step is Step.DEREGISTRATION and self.legal_effect

    @property
    def outcome(self) -> str:
        if self.step is Step.DEREGISTRATION and not self.legal_effect:
            return "test_mode_deregistration"
        return self.step.value


Plan = Skip | Reschedule | Take


def plan(
    item: Due,
    *,
    now: datetime,
    settings: Settings,
    calendar: WorkingCalendar,
    deadlines_on: Callable[[datetime], Deadlines] | None = None,
    person: Callable[[uuid.UUID], Person],
) -> Plan:
    """Decide what is to happen to one due person, before anything is written."""
    last_monitoring_at = item.last_monitoring_at
    if item.registration_id is None or not item.registration_active or last_monitoring_at is None:
        return Skip(item)
    if deadlines_on is None:
        deadlines = compute_deadlines(last_monitoring_at, calendar, deadline_policy(settings))
    else:
        deadlines = deadlines_on(last_monitoring_at)
    step = step_to_take(deadlines, item.last_step, now)
    if step is None:
        return Reschedule(item, deadlines)
    # Only a deregistration needs the person: whether it has legal effect today.
    legal_effect = (
        step is not Step.DEREGISTRATION
        or evaluate(
            facts_of(person(item.person_id)), moscow_date(now), eligibility_policy(settings)
        ).has_legal_effect
    )
    return Take(item, item.registration_id, last_monitoring_at, step, deadlines, legal_effect)


def _record_steps(session: Session, *, now: datetime, takes: list[Take]) -> set[uuid.UUID]:
    """Record the steps; return the people for whom this was the first time."""
    if not takes:
        return set()
    rows = [
        {
            "id": uuid.uuid4(),
            "person_id": t.item.person_id,
            "registration_id": t.registration_id,
            "last_monitoring_at": t.last_monitoring_at,
            "step": t.step,
            "due_at": t.deadlines.at(t.step),
            "taken_at": now,
            "legal_effect": t.legal_effect,
        }
        for t in takes
    ]
    inserted = insert_rows(
        session,
        StepTaken,
        rows,
        skip_conflicts_on=["person_id", "last_monitoring_at", "step"],
        returning="person_id",
    )
    return set(inserted)


def _message(take: Take) -> Message:
    kind = "test_mode_deregistration" if take.step is Step.DEREGISTRATION else take.step.value
    params = json_params(
        last_monitoring_on=take.deadlines.last_monitoring_date,
        deregistration_at=take.deadlines.deregistration_at,
    )
    return Message(take.item.person_id, kind, take.last_monitoring_at.isoformat(), params)


def _audit_event(take: Take) -> Event:
    action = (
        "monitoring.deregistration_simulated"
        if take.step is Step.DEREGISTRATION
        else f"monitoring.{take.step.value}"
    )
    return Event(
        SYSTEM,
        action,
        "person",
        take.item.person_id,
        data={
            "last_monitoring_at": take.last_monitoring_at,
            "deregistration_at": take.deadlines.deregistration_at,
        },
    )


def _deregister(session: Session, *, now: datetime, settings: Settings, take: Take) -> None:
    deregister(
        session,
        now=now,
        settings=settings,
        registration=session.get_one(Registration, take.registration_id, with_for_update=True),
        ground=Ground.NO_GEOLOCATION,
        actor=SYSTEM,
        detail=f"no geolocation since {take.last_monitoring_at.isoformat()}",
        missed_since=take.last_monitoring_at,
        params={"last_monitoring_on": take.deadlines.last_monitoring_date},
    )


def take_steps(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    calendar: WorkingCalendar,
    items: list[Due],
) -> Counter[str]:
    """Take every due step of a batch, with set-based writes."""
    policy = deadline_policy(settings)
    by_day: dict[tuple[date, frozenset[date]], Deadlines] = {}

    def deadlines_of(person_id: uuid.UUID) -> Callable[[datetime], Deadlines]:
        def deadlines_on(last_monitoring_at: datetime) -> Deadlines:
            # Deadlines depend only on L's Moscow date and the days a connectivity outage
            # covering the person skips (§9; usually none): a batch shares a handful of them.
            lost = area_lost_days(session, settings, person_id, last_monitoring_at)
            key = (moscow_date(last_monitoring_at), lost)
            if key not in by_day:
                by_day[key] = compute_deadlines(
                    last_monitoring_at, for_person(calendar, lost), policy
                )
            return by_day[key]

        return deadlines_on

    def person(person_id: uuid.UUID) -> Person:
        return session.get_one(Person, person_id)

    plans = [
        plan(
            item,
            now=now,
            settings=settings,
            calendar=calendar,
            deadlines_on=deadlines_of(item.person_id),
            person=person,
        )
        for item in items
    ]
    counts: Counter[str] = Counter()
    takes = [p for p in plans if isinstance(p, Take)]
    first_time = _record_steps(session, now=now, takes=takes)
    informing: list[Take] = []
    schedules: list[dict[str, object]] = []
    for p in plans:
        if isinstance(p, Skip):
            schedules.append(_schedule_row(p.item, p.item.last_step, None, now))
            counts["skipped"] += 1
        elif isinstance(p, Reschedule):
            schedules.append(_schedule_row(p.item, p.item.last_step, p.deadlines, now))
            counts["rescheduled"] += 1
        elif p.item.person_id not in first_time:
            schedules.append(_schedule_row(p.item, p.step, p.deadlines, now))
            counts["already_taken"] += 1
        elif p.deregisters:
            _deregister(session, now=now, settings=settings, take=p)
            counts[p.outcome] += 1
        else:
            schedules.append(_schedule_row(p.item, p.step, p.deadlines, now))
            informing.append(p)
            counts[p.outcome] += 1
    _write_schedules(session, schedules)
    notify_many(session, now=now, messages=[_message(t) for t in informing])
    record_many(session, now=now, events=[_audit_event(t) for t in informing])
    session.flush()
    return counts


def _schedule_row(
    item: Due, last_step: Step | None, deadlines: Deadlines | None, now: datetime
) -> dict[str, object]:
    upcoming = next_step(deadlines, last_step) if deadlines is not None else None
    return {
        "person_id": item.person_id,
        "last_step": last_step,
        "next_step": upcoming.step if upcoming else None,
        "next_step_at": upcoming.due_at if upcoming else None,
        "updated_at": now,
    }


def _write_schedules(session: Session, rows: list[dict[str, object]]) -> None:
    """The batch's new schedules in one statement (the rows are locked by this batch)."""
    update_rows(session, MonitoringState, "person_id", rows)


def sweep(
    db: Database, *, now: datetime, settings: Settings, batch_size: int = 500
) -> Counter[str]:
    """One monitoring sweep at `now`: every due step, batch by batch, until none is due."""
    counts: Counter[str] = Counter()
    failed: list[uuid.UUID] = []
    while True:
        with db.unit_of_work() as session:
            batch = due(session, now=now, limit=batch_size, exclude=failed)
            if not batch:
                break
            oldest = min(item.last_monitoring_at or now for item in batch)
            calendar = load_calendar(
                session, min_available_hours=settings.min_available_hours, since=oldest
            )
            try:
                with session.begin_nested():
                    counts.update(
                        take_steps(
                            session, now=now, settings=settings, calendar=calendar, items=batch
                        )
                    )
            except Exception:
                log.exception("a sweep batch failed; retrying its people one by one")
                counts.update(
                    _one_by_one(
                        session,
                        now=now,
                        settings=settings,
                        calendar=calendar,
                        items=batch,
                        failed=failed,
                    )
                )
        if len(batch) < batch_size:
            break
    return counts


def _one_by_one(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    calendar: WorkingCalendar,
    items: list[Due],
    failed: list[uuid.UUID],
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for item in items:
        person_id = item.person_id
        try:
            with session.begin_nested():
                counts.update(
                    take_steps(session, now=now, settings=settings, calendar=calendar, items=[item])
                )
        except Exception:
            log.exception("a monitoring step failed for one person; the rest go on")
            failed.append(person_id)
            counts["failed"] += 1
    return counts
