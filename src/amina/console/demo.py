"""`amina demo` for the console: officers of every role (with a second factor enrolled) and
people in every state: due soon, deregistered with a case open, a registry proposal waiting.
Seeded through the services where they exist; never in production (the CLI refuses)."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.auth.models import Device, Platform
from amina.cases import registry
from amina.config import Settings
from amina.keys import Keys
from amina.monitoring import state as monitoring_state
from amina.monitoring.deregistration import deregister
from amina.monitoring.models import LocationReport, MonitoringSource, ReportSource
from amina.officers import second_factor as sf
from amina.officers.models import Officer, Role
from amina.officers.service import add_officer
from amina.people import service as people
from amina.people.models import Person
from amina.registration.models import Registration
from amina.rules.eligibility import Purpose
from amina.rules.lifecycle import Ground, RegistrationStatus
from amina.rules.territory import Placement

ACTOR = Actor("system", "demo")
PASSWORD = "amina-demo-officer"  # noqa: S105 - demo only, never in production
OFFICERS = (
    ("console.mmc", "Ольга Смирнова", Role.MMC_OFFICER),
    ("console.mmc2", "Анна Кузнецова", Role.MMC_OFFICER),
    ("console.police", "Иван Сидоров", Role.POLICE_OFFICER),
    ("console.supervisor", "Борис Петров", Role.SUPERVISOR),
    ("console.admin", "Елена Волкова", Role.ADMIN),
    ("console.auditor", "Павел Орлов", Role.AUDITOR),
)


@dataclass(frozen=True)
class DemoOfficer:
    username: str
    role: Role
    password: str
    totp_secret: str
    current_code: str


def _officer(
    session: Session, keys: Keys, now: datetime, username: str, name: str, role: Role
) -> DemoOfficer:
    officer = session.scalar(select(Officer).where(Officer.username == username))
    if officer is None:
        officer = add_officer(
            session,
            now=now,
            actor=ACTOR,
            username=username,
            display_name=name,
            role=role,
            password=PASSWORD,
        )
    secret = sf.unseal(keys, officer.totp_secret) if officer.totp_secret else None
    if secret is None:
        secret = sf.new_secret()
        officer.totp_secret, officer.totp_enrolled_at = sf.seal(keys, secret), now
    return DemoOfficer(username, role, PASSWORD, secret, sf.current_code(secret, now))


def _person(
    session: Session, now: datetime, surname: str, card: str, days_ago: float, settings: Settings
) -> Person | None:
    if people.find_card(session, card) is not None:
        return None
    person = people.add_person(
        session,
        now=now,
        actor=ACTOR,
        new=people.NewPerson(
            surname,
            "Demo",
            date(1994, 3, 5),
            "UZ",
            f"FA{card[-7:]}",
            f"+99890{card[-7:]}",
            Purpose.WORK,
            date(2026, 9, 1),
        ),
    )
    people.issue_card(session, now=now, actor=ACTOR, person_id=person.id, number=card)
    device = Device(person_id=person.id, platform=Platform.WEB, created_at=now, last_seen_at=now)
    registration = Registration(
        person_id=person.id,
        status=RegistrationStatus.ACTIVE,
        address=settings.mmc_address,
        registered_at=now - timedelta(days=20),
        consent_version=settings.consent_version,
        consent_at=now - timedelta(days=20),
    )
    session.add_all([device, registration])
    session.flush()
    last = now - timedelta(days=days_ago)
    for i in range(96):  # a day's reports every 15 minutes, wandering across Moscow
        at = last - timedelta(minutes=15 * i)
        session.add(
            LocationReport(
                device_id=device.id,
                client_id=uuid.uuid4(),
                person_id=person.id,
                recorded_at=at,
                received_at=at,
                lat=55.75 + 0.05 * math.sin(i / 9),
                lon=37.62 + 0.08 * math.cos(i / 13),
                accuracy_m=20.0 if i % 7 else 400.0,
                source=ReportSource.FUSED,
                mock=i == 40,
                placement=Placement.INSIDE,
                counted=i == 0,
            )
        )
    monitoring_state.attach_registration(
        session, now=now, settings=settings, person_id=person.id, registration_id=registration.id
    )
    monitoring_state.advance(
        session,
        now=now,
        settings=settings,
        person_id=person.id,
        recorded_at=last,
        source=MonitoringSource.REPORT,
    )
    return person


def seed(session: Session, *, now: datetime, keys: Keys, settings: Settings) -> list[DemoOfficer]:
    """Idempotent: running it again adds nothing and prints the same officers."""
    officers = [_officer(session, keys, now, *row) for row in OFFICERS]
    _person(session, now, "Tursunov", "770000100014", 0.1, settings)
    _person(session, now, "Qodirova", "770000100022", 2.5, settings)  # due soon
    _person(session, now, "Mirzayev", "770000100030", 3.2, settings)  # due sooner
    gone = _person(session, now, "Saidov", "770000100048", 6, settings)
    if gone is not None:  # deregistered for no geolocation: a violation case opens
        registration = session.scalars(
            select(Registration).where(Registration.person_id == gone.id)
        ).one()
        deregister(
            session,
            now=now,
            settings=settings,
            registration=registration,
            ground=Ground.NO_GEOLOCATION,
            actor=ACTOR,
            missed_since=now - timedelta(days=6),
        )
        monitoring_state.attach_registration(
            session, now=now, settings=settings, person_id=gone.id, registration_id=None
        )
    listed = _person(session, now, "Nazarov", "770000100055", 1, settings)
    if listed is not None:  # a registry proposal waiting for a second officer
        proposer = session.scalars(select(Officer).where(Officer.username == "console.mmc")).one()
        registry.propose(
            session,
            now=now,
            officer=proposer,
            person_id=listed.id,
            basis="Демо: повторные нарушения режима, материалы полиции",
        )
    return officers
