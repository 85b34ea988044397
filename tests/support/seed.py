"""Many registered people at once, straight into the tables (for crash and concurrency tests,
where going through HTTP for thousands of people would take minutes)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import insert

from amina.calendar.service import load_calendar
from amina.config import Settings
from amina.db import Database
from amina.monitoring.models import MonitoringSource, MonitoringState
from amina.people.models import Document, DocumentKind, Person
from amina.policies import deadline_policy
from amina.registration.models import Registration
from amina.rules.deadlines import Step, compute_deadlines
from amina.rules.eligibility import Purpose
from amina.rules.lifecycle import RegistrationStatus


def seed_registered(
    db: Database,
    settings: Settings,
    *,
    count: int,
    last_monitoring_at: datetime,
    chunk: int = 1000,
) -> list[uuid.UUID]:
    """`count` people registered and monitored, all last seen at `last_monitoring_at`."""
    with db.unit_of_work(readonly=True) as session:
        calendar = load_calendar(session, min_available_hours=settings.min_available_hours)
    reminder_at = compute_deadlines(
        last_monitoring_at, calendar, deadline_policy(settings)
    ).reminder_at
    ids: list[uuid.UUID] = []
    tag = uuid.uuid4().hex[:4].upper()  # several seedings in one database do not collide
    for start in range(0, count, chunk):
        people, documents, registrations, states = [], [], [], []
        for n in range(start, min(count, start + chunk)):
            person_id, registration_id = uuid.uuid4(), uuid.uuid4()
            ids.append(person_id)
            people.append(
                {
                    "id": person_id,
                    "surname": f"Test{n}",
                    "given_names": "Seeded",
                    "birth_date": date(1990, 1, 1),
                    "citizenship": "UZ",
                    "phone": f"+99891{n:07d}",
                    "purpose": Purpose.WORK,
                    "entry_date": date(2025, 6, 1),
                    "stay_days": None,
                    "category": "none",
                    "residence_permit": False,
                    "language": "ru",
                    "created_at": last_monitoring_at,
                    "updated_at": last_monitoring_at,
                }
            )
            documents.append(
                {
                    "id": uuid.uuid4(),
                    "person_id": person_id,
                    "kind": DocumentKind.PASSPORT,
                    "country": "UZ",
                    "number": f"S{tag}{n:07d}",
                    "status": "valid",
                    "created_at": last_monitoring_at,
                }
            )
            registrations.append(
                {
                    "id": registration_id,
                    "person_id": person_id,
                    "status": RegistrationStatus.ACTIVE,
                    "address": settings.mmc_address,
                    "registered_at": last_monitoring_at,
                    "test_mode": False,
                    "consent_version": settings.consent_version,
                    "consent_at": last_monitoring_at,
                }
            )
            states.append(
                {
                    "person_id": person_id,
                    "registration_id": registration_id,
                    "last_monitoring_at": last_monitoring_at,
                    "last_monitoring_source": MonitoringSource.REPORT,
                    "last_step": None,
                    "next_step": Step.REMINDER,
                    "next_step_at": reminder_at,
                    "updated_at": last_monitoring_at,
                }
            )
        with db.unit_of_work() as session:
            for model, rows in (
                (Person, people),
                (Document, documents),
                (Registration, registrations),
                (MonitoringState, states),
            ):
                session.execute(insert(model), rows)
    return ids
