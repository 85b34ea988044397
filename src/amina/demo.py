"""`amina demo`: a small, believable data set to click through, seeded through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.bookings.demo import seed_demo_booking
from amina.config import Settings
from amina.monitoring import state as monitoring_state
from amina.officers.models import Officer, Role
from amina.officers.service import add_officer
from amina.patents.demo import seed_patent
from amina.people import service as people
from amina.people.service import NewPerson
from amina.profile.service import eligibility_of
from amina.registration import repo as registration_repo
from amina.rules.eligibility import Category, Purpose
from amina.rules.lifecycle import RegistrationStatus
from amina.schemas import moscow_rfc3339

DEMO_ACTOR = Actor("system", "demo")


@dataclass(frozen=True)
class DemoPerson:
    card_number: str
    new: NewPerson
    note: str


DEMO_PEOPLE = (
    DemoPerson(
        "770000000016",
        NewPerson(
            "Karimov",
            "Aziz Rustamovich",
            date(1995, 4, 12),
            "UZ",
            "FA1234567",
            "+998901112233",
            Purpose.WORK,
            date(2026, 9, 15),
            language="uz",
        ),
        "works in Moscow: required",
    ),
    DemoPerson(
        "770000000024",
        NewPerson(
            "Rahimova",
            "Nilufar",
            date(1998, 7, 3),
            "TJ",
            "400123456",
            "+992900112233",
            Purpose.WORK,
            date(2026, 10, 2),
            language="tg",
        ),
        "works in Moscow Oblast: required",
    ),
    DemoPerson(
        "770000000032",
        NewPerson(
            "Asanov",
            "Bakyt",
            date(2001, 1, 30),
            "KG",
            "AC1234567",
            "+996700112233",
            Purpose.STUDY,
            date(2026, 8, 20),
            stay_days=300,
            language="ky",
        ),
        "student, long stay: required",
    ),
    DemoPerson(
        "770000000040",
        NewPerson(
            "Hovhannisyan",
            "Ani",
            date(1990, 11, 8),
            "AM",
            "AP0123456",
            "+37491112233",
            Purpose.TOURISM,
            date(2026, 11, 10),
            stay_days=20,
            language="hy",
        ),
        "tourist, short stay: not applicable",
    ),
    DemoPerson(
        "770000000057",
        NewPerson(
            "Ivanov",
            "Pavel",
            date(1985, 5, 5),
            "BY",
            "MP1234567",
            "+375291112233",
            Purpose.WORK,
            date(2026, 6, 1),
            language="ru",
        ),
        "citizen of Belarus: exempt",
    ),
    DemoPerson(
        "770000000065",
        NewPerson(
            "Nurlanov",
            "Daulet",
            date(1993, 2, 14),
            "KZ",
            "N12345678",
            "+77011112233",
            Purpose.WORK,
            date(2026, 9, 1),
            category=Category.NONE,
            language="kk",
        ),
        "works in Moscow: required",
    ),
)


# Demo officers share one well-known password: `amina demo` refuses to run in production.
DEMO_OFFICER_PASSWORD = "amina-demo-officer"  # noqa: S105 - demo only, never in production
DEMO_OFFICERS = (
    ("mmc.demo", "Ольга Смирнова (ММЦ)", Role.MMC_OFFICER),
    ("supervisor.demo", "Борис Петров (руководитель)", Role.SUPERVISOR),
    ("police.demo", "Иван Сидоров (полиция)", Role.POLICE_OFFICER),
)


@dataclass(frozen=True)
class Seeded:
    people: list[tuple[DemoPerson, bool]]  # (person, newly created)
    officers: list[tuple[str, Role]]


def seed_officers(session: Session, *, now: datetime) -> list[tuple[str, Role]]:
    seeded: list[tuple[str, Role]] = []
    for username, name, role in DEMO_OFFICERS:
        if session.scalar(select(Officer).where(Officer.username == username)) is None:
            add_officer(
                session,
                now=now,
                actor=DEMO_ACTOR,
                username=username,
                display_name=name,
                role=role,
                password=DEMO_OFFICER_PASSWORD,
            )
        seeded.append((username, role))
    return seeded


def seed_people(session: Session, *, now: datetime) -> list[tuple[DemoPerson, bool]]:
    seeded: list[tuple[DemoPerson, bool]] = []
    for demo in DEMO_PEOPLE:
        if people.find_card(session, demo.card_number) is not None:
            seeded.append((demo, False))
            continue
        person = people.add_person(session, now=now, actor=DEMO_ACTOR, new=demo.new)
        people.issue_card(
            session, now=now, actor=DEMO_ACTOR, person_id=person.id, number=demo.card_number
        )
        seeded.append((demo, True))
    return seeded


def seed(session: Session, *, now: datetime) -> Seeded:
    """Create the demo people, their cards and demo officers; running it again changes nothing.

    One function per kind of seed: a feature adds its own and one call here.
    """
    officers_seeded = seed_officers(session, now=now)
    people_seeded = seed_people(session, now=now)
    seed_patent(session, now=now, actor=DEMO_ACTOR)
    seed_demo_booking(session, now=now, settings=Settings())
    return Seeded(people_seeded, officers_seeded)


def person_state(session: Session, *, settings: Settings, card_number: str, now: datetime) -> str:
    """Where a demo person stands now, in a few words: what a newcomer needs to pick one."""
    card = people.find_card(session, card_number)
    if card is None:
        return "missing"
    person = people.get_person(session, card.person_id)
    registration = registration_repo.latest_registration(session, person.id)
    if registration is None:
        eligibility = eligibility_of(person, now, settings)
        if eligibility.may_register:
            return f"not registered, {eligibility.status.value} ({eligibility.reason.value})"
        return f"{eligibility.status.value} ({eligibility.reason.value})"
    if registration.status is not RegistrationStatus.ACTIVE:
        when = moscow_rfc3339(registration.deregistered_at) if registration.deregistered_at else ""
        return f"{registration.status.value} {when}".strip()
    monitoring = monitoring_state.view(session, settings, person.id, active=True)
    since = moscow_rfc3339(registration.registered_at)
    deregistration_at = monitoring.deregistration_at
    if monitoring.reminder_at is not None and monitoring.reminder_at <= now and deregistration_at:
        return f"registered since {since}, due: deregistered {moscow_rfc3339(deregistration_at)}"
    return f"registered since {since}"
