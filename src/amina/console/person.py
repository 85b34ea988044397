"""The person page: everything an officer needs to see why a step fell when it did.

Every loader takes a `Grant` (amina.console.reads): no audit event, no data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.auth.models import Device
from amina.calendar.models import CalendarOverride, Outage, OutageStatus
from amina.calendar.service import calendar_of
from amina.cases.models import Case, RegistryEntry
from amina.config import Settings
from amina.console.reads import Grant
from amina.errors import NotFound
from amina.monitoring.models import MonitoringState
from amina.notifications.models import Delivery, Notification
from amina.people.models import Document, Person
from amina.policies import deadline_policy
from amina.profile.service import eligibility_of
from amina.registration.models import Registration, Residence
from amina.rules.calendar import Outage as CalendarOutage
from amina.rules.calendar import (
    WorkingCalendar,
    moscow_date,
    moscow_day_span,
    unavailable_by_day,
)
from amina.rules.deadlines import Deadlines, compute_deadlines
from amina.rules.eligibility import Eligibility


@dataclass(frozen=True)
class Moved:
    """Why the deadlines are later than the plain production calendar would put them."""

    kind: str  # "outage", "override", or the last monitoring source ("report", "checkin", …)
    day: date | None
    detail: str


@dataclass
class PersonPage:
    person: Person
    documents: list[Document]
    eligibility: Eligibility
    registrations: list[Registration]
    residences: list[Residence]
    devices: list[Device]
    state: MonitoringState | None
    deadlines: Deadlines | None
    plain_deadlines: Deadlines | None
    moved: list[Moved]
    cases: list[Case]
    registry: list[RegistryEntry]
    notifications: list[tuple[Notification, list[Delivery]]]
    extra: dict[str, Any] = field(default_factory=dict)


def person_of(session: Session, grant: Grant) -> Person:
    person = session.get(Person, grant.person_id)
    if person is None:
        raise NotFound("no such person", code="person_not_found")
    return person


def explain(
    session: Session, settings: Settings, state: MonitoringState | None
) -> tuple[Deadlines | None, Deadlines | None, list[Moved]]:
    """The three upcoming instants, those of the bare production calendar, and why they differ."""
    if state is None or state.last_monitoring_at is None:
        return None, None, []
    policy = deadline_policy(settings)
    calendar = calendar_of(session, min_available_hours=settings.min_available_hours)
    real = compute_deadlines(state.last_monitoring_at, calendar, policy)
    plain = compute_deadlines(state.last_monitoring_at, WorkingCalendar(), policy)
    first = moscow_date(state.last_monitoring_at)
    last = moscow_date(real.deregistration_at)
    moved: list[Moved] = [
        Moved(
            (state.last_monitoring_source.value if state.last_monitoring_source else "report"),
            first,
            "last monitoring",
        )
    ]
    for override in session.scalars(
        select(CalendarOverride).where(CalendarOverride.day > first, CalendarOverride.day <= last)
    ):
        moved.append(Moved("override", override.day, override.reason))
    # Only outages that count (active, not proposed) and cost a working day moved anything.
    for outage in session.scalars(
        select(Outage).where(
            Outage.status == OutageStatus.ACTIVE,
            Outage.ends_at > moscow_day_span(first)[0],
            Outage.starts_at < moscow_day_span(last)[1],
        )
    ):
        days = unavailable_by_day([CalendarOutage(outage.starts_at, outage.ends_at)])
        if calendar.lost_days.intersection(days):
            moved.append(Moved("outage", moscow_date(outage.starts_at), outage.reason))
    return real, plain, moved


def page(session: Session, grant: Grant, *, now: datetime, settings: Settings) -> PersonPage:
    person = person_of(session, grant)
    pid = person.id
    state = session.get(MonitoringState, pid)
    registrations = list(
        session.scalars(
            select(Registration)
            .where(Registration.person_id == pid)
            .order_by(Registration.registered_at.desc())
        )
    )
    active = bool(registrations) and registrations[0].status.value == "active"
    real, plain, moved = explain(session, settings, state) if active else (None, None, [])
    notes = list(
        session.scalars(
            select(Notification)
            .where(Notification.person_id == pid)
            .order_by(Notification.created_at.desc())
            .limit(50)
        )
    )
    deliveries: dict[Any, list[Delivery]] = {}
    if notes:
        for delivery in session.scalars(
            select(Delivery).where(Delivery.notification_id.in_([n.id for n in notes]))
        ):
            deliveries.setdefault(delivery.notification_id, []).append(delivery)
    return PersonPage(
        person=person,
        documents=list(session.scalars(select(Document).where(Document.person_id == pid))),
        eligibility=eligibility_of(person, now, settings),
        registrations=registrations,
        residences=list(
            session.scalars(
                select(Residence)
                .where(Residence.person_id == pid)
                .order_by(Residence.reported_at.desc())
            )
        ),
        devices=list(session.scalars(select(Device).where(Device.person_id == pid))),
        state=state,
        deadlines=real,
        plain_deadlines=plain,
        moved=moved,
        cases=list(
            session.scalars(
                select(Case).where(Case.person_id == pid).order_by(Case.opened_at.desc())
            )
        ),
        registry=list(
            session.scalars(
                select(RegistryEntry)
                .where(RegistryEntry.person_id == pid)
                .order_by(RegistryEntry.proposed_at.desc())
            )
        ),
        notifications=[(n, deliveries.get(n.id, [])) for n in notes],
    )
