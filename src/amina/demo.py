"""`amina demo`: a small, believable data set to click through, seeded through the services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.officers.models import Officer, Role
from amina.officers.service import add_officer
from amina.patents.demo import seed_patent
from amina.people import service as people
from amina.people.service import NewPerson
from amina.rules.eligibility import Category, Purpose

DEMO_ACTOR = Actor("system", "demo")


@dataclass(frozen=True)
class DemoPerson:
    card_number: str
    new: NewPerson
    note: str


DEMO_PEOPLE = (
    DemoPerson(
        "770000000018",
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
        "770000000026",
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
        "770000000034",
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
        "770000000042",
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
        "770000000059",
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
        "770000000067",
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


def seed(session: Session, *, now: datetime) -> Seeded:
    """Create the demo people, their cards and demo officers; running it again changes nothing."""
    officers_seeded: list[tuple[str, Role]] = []
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
        officers_seeded.append((username, role))
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
    seed_patent(session, now=now, actor=DEMO_ACTOR)
    return Seeded(seeded, officers_seeded)
