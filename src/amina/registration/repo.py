"""Queries on registrations and residences (no commits)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amina.people.models import Person
from amina.registration.models import Registration, Residence
from amina.rules.lifecycle import RegistrationStatus


def active_registration(session: Session, person_id: uuid.UUID) -> Registration | None:
    return session.scalar(
        select(Registration).where(
            Registration.person_id == person_id,
            Registration.status == RegistrationStatus.ACTIVE,
        )
    )


def lock_person(session: Session, person_id: uuid.UUID) -> None:
    """Row-lock the person (PostgreSQL; SQLite already has one writer at a time)."""
    session.execute(select(Person.id).where(Person.id == person_id).with_for_update())


def insert_unique(session: Session, registration: Registration) -> bool:
    """Insert in a savepoint; False if a unique index refused it (someone was faster)."""
    try:
        with session.begin_nested():
            session.add(registration)
            session.flush()
    except IntegrityError:
        return False
    return True


def latest_registration(session: Session, person_id: uuid.UUID) -> Registration | None:
    return session.scalar(
        select(Registration)
        .where(Registration.person_id == person_id)
        .order_by(Registration.registered_at.desc())
        .limit(1)
    )


def registrations(session: Session, person_id: uuid.UUID) -> list[Registration]:
    return list(
        session.scalars(
            select(Registration)
            .where(Registration.person_id == person_id)
            .order_by(Registration.registered_at)
        )
    )


def current_residence(session: Session, person_id: uuid.UUID) -> Residence | None:
    return session.scalar(
        select(Residence)
        .where(Residence.person_id == person_id, Residence.ended_on.is_(None))
        .order_by(Residence.reported_at.desc())
        .limit(1)
    )


def residence_history(session: Session, person_id: uuid.UUID) -> list[Residence]:
    return list(
        session.scalars(
            select(Residence)
            .where(Residence.person_id == person_id)
            .order_by(Residence.moved_in_on.desc(), Residence.reported_at.desc())
        )
    )
