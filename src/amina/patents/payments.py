"""A `patent_payment` confirmation from the treasury or a bank (rules.md §7).

Idempotent by (source, source_ref): the unique constraint decides who applies it, so a repeated
or concurrent delivery credits once. Nothing is lost: an unknown patent, a remainder, zero
months, a payment after the lapse or past the 12-month term is recorded and flagged.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.config import Settings
from amina.db import insert_ignoring_conflict
from amina.errors import Conflict, InvalidInput
from amina.notifications.service import notify
from amina.patents import data, repo
from amina.patents.models import Patent, PatentPayment
from amina.patents.schemas import PatentPaymentIn
from amina.patents.service import after_credit, check_inn
from amina.rules import patents as rules
from amina.rules.patents import PaymentFlag


@dataclass(frozen=True)
class Received:
    payment: PatentPayment
    duplicate: bool


def _reference(event: PatentPaymentIn) -> dict[str, str | None]:
    return {
        "series": event.patent.series.strip().upper() if event.patent else None,
        "number": event.patent.number.strip().upper() if event.patent else None,
        "payer_inn": event.payer_inn.strip() if event.payer_inn else None,
    }


def _find(session: Session, reference: dict[str, str | None]) -> Patent | None:
    if reference["series"] and reference["number"]:
        found = repo.by_number(session, reference["series"], reference["number"])
        if found is not None:
            return found
    return repo.current_for_inn(session, reference["payer_inn"]) if reference["payer_inn"] else None


def receive(
    session: Session, *, now: datetime, settings: Settings, source_name: str, event: PatentPaymentIn
) -> Received:
    if event.occurred_at > now + timedelta(seconds=settings.clock_skew_s):
        raise InvalidInput("occurred_at is in the future", code="invalid_occurred_at")
    if event.payer_inn is not None:
        check_inn(event.payer_inn)
    reference = _reference(event)
    payment_id = uuid.uuid4()
    inserted = insert_ignoring_conflict(
        session,
        PatentPayment,
        {
            "id": payment_id,
            "patent_id": None,
            "source": event.source,
            "source_ref": event.source_ref,
            "amount_kopecks": event.amount_kopecks,
            "paid_at": event.occurred_at,
            "paid_on": rules.moscow_date(event.occurred_at),
            "received_at": now,
            "monthly_amount_rub": None,
            "months_credited": 0,
            "remainder_kopecks": event.amount_kopecks,
            "flags": [],
            "needs_review": False,
            "reference": reference,
        },
        ["source", "source_ref"],
    )
    if not inserted:
        existing = repo.payment_by_ref(session, event.source, event.source_ref)
        same = (
            existing.amount_kopecks == event.amount_kopecks
            and existing.paid_at == event.occurred_at
            and existing.reference == reference
        )
        if not same:
            raise Conflict(
                "this source_ref was already used for a different payment",
                code="source_ref_conflict",
            )
        return Received(existing, True)
    payment = session.get_one(PatentPayment, payment_id)
    found = _find(session, reference)
    if found is None:
        payment.flags, payment.needs_review = [PaymentFlag.UNKNOWN_PATENT.value], True
    else:
        _apply(
            session,
            now=now,
            settings=settings,
            patent=repo.lock(session, found.id),
            payment=payment,
        )
    record(
        session,
        now=now,
        actor=Actor("service", source_name),
        action="patent.payment",
        subject_type="patent_payment",
        subject_id=payment.id,
        person_id=found.person_id if found else None,
        data={
            "months_credited": payment.months_credited,
            "flags": payment.flags,
            "patent_id": str(found.id) if found else None,
        },
    )
    return Received(payment, False)


def _apply(
    session: Session, *, now: datetime, settings: Settings, patent: Patent, payment: PatentPayment
) -> None:
    try:
        monthly: int | None = rules.monthly_amount(
            data.rates(settings), patent.region, payment.paid_on
        )
    except rules.NoRate:
        monthly = None
    effect = rules.apply_payment(
        issued_on=patent.issued_on,
        months_paid=patent.months_paid,
        amount_kopecks=payment.amount_kopecks,
        paid_on=payment.paid_on,
        monthly_rub=monthly,
    )
    payment.patent_id = patent.id
    payment.monthly_amount_rub = monthly
    payment.months_credited = effect.months_credited
    payment.remainder_kopecks = effect.remainder_kopecks
    payment.flags = sorted(flag.value for flag in effect.flags)
    payment.needs_review = bool(effect.flags)
    if effect.months_credited:
        after_credit(
            session, patent, now=now, settings=settings, months_paid=effect.months_paid_after
        )
        notify(
            session,
            now=now,
            person_id=patent.person_id,
            kind="patent_paid",
            window=str(payment.id),
            params={
                "months": effect.months_credited,
                "valid_through_on": patent.valid_through.isoformat(),
            },
        )
