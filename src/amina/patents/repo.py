"""Patent queries (no commits)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.patents.models import Patent, PatentPayment
from amina.rules.patents import PatentStatus

CURRENT = (PatentStatus.VALID, PatentStatus.LAPSED)


def current_for_person(session: Session, person_id: uuid.UUID) -> Patent | None:
    """The person's newest patent that was not re-issued (valid, or lapsed)."""
    return session.scalar(
        select(Patent)
        .where(Patent.person_id == person_id, Patent.status.in_(CURRENT))
        .order_by(Patent.issued_on.desc(), Patent.created_at.desc())
        .limit(1)
    )


def by_number(session: Session, series: str, number: str) -> Patent | None:
    return session.scalar(select(Patent).where(Patent.series == series, Patent.number == number))


def current_for_inn(session: Session, inn: str) -> Patent | None:
    return session.scalar(
        select(Patent)
        .where(Patent.inn == inn, Patent.status.in_(CURRENT))
        .order_by(Patent.issued_on.desc(), Patent.created_at.desc())
        .limit(1)
    )


def lock(session: Session, patent_id: uuid.UUID) -> Patent:
    return session.get_one(Patent, patent_id, with_for_update=True, populate_existing=True)


def payments(session: Session, patent_id: uuid.UUID) -> Sequence[PatentPayment]:
    return session.scalars(
        select(PatentPayment)
        .where(PatentPayment.patent_id == patent_id)
        .order_by(PatentPayment.paid_at.desc(), PatentPayment.id)
    ).all()


def payment_by_ref(session: Session, source: str, source_ref: str) -> PatentPayment:
    return session.scalars(
        select(PatentPayment).where(
            PatentPayment.source == source, PatentPayment.source_ref == source_ref
        )
    ).one()


def flagged_payments(session: Session, limit: int = 200) -> Sequence[PatentPayment]:
    return session.scalars(
        select(PatentPayment)
        .where(PatentPayment.needs_review.is_(True))
        .order_by(PatentPayment.received_at)
        .limit(limit)
    ).all()


def due_to_lapse(session: Session, now: datetime, limit: int) -> Sequence[uuid.UUID]:
    return session.scalars(
        select(Patent.id)
        .where(Patent.status == PatentStatus.VALID, Patent.lapses_at <= now)
        .order_by(Patent.lapses_at)
        .limit(limit)
    ).all()


def due_reminders(session: Session, now: datetime, limit: int) -> Sequence[Patent]:
    """Patents whose next reminder is due, locked so that two workers do not both send it."""
    return session.scalars(
        select(Patent)
        .where(
            Patent.next_reminder_at.is_not(None),
            Patent.next_reminder_at <= now,
            Patent.status.in_(CURRENT),
        )
        .order_by(Patent.next_reminder_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
