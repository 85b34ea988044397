"""Patent use cases for the MMC and the person: issue, re-issue, show, quote, the payment block
(rules.md §7). Load → rules → change → audit; never commits."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases.patent_review import supersede_lapse_review
from amina.config import Settings
from amina.errors import Conflict, InvalidInput, NotFound
from amina.patents import data, qr, repo
from amina.patents.models import Patent
from amina.patents.schemas import (
    MePatentOut,
    PatentOut,
    PayeeDetail,
    PaymentBlock,
    PaymentOut,
    QuoteOut,
    status_code,
)
from amina.people.models import Person
from amina.rules import patents as rules
from amina.rules.patents import PatentStatus, Region


def _check_months(months: int, *, months_paid: int = 0) -> None:
    try:
        rules.check_months(months, months_paid=months_paid)
    except rules.PatentRuleError as error:
        raise InvalidInput(str(error), code=error.code) from None


def check_inn(inn: str) -> str:
    inn = inn.strip()
    if not rules.inn_is_valid(inn):
        raise InvalidInput(
            "the ИНН must be 12 digits with both check digits valid", code="invalid_inn"
        )
    return inn


def monthly_amount(settings: Settings, region: Region, on: date) -> int:
    try:
        return rules.monthly_amount(data.rates(settings), region, on)
    except rules.NoRate:
        raise InvalidInput(
            f"no patent rate is known for {on.year}; the payment cannot be computed",
            code="no_patent_rate",
        ) from None


def quote(settings: Settings, *, region: Region, on: date, months: int) -> QuoteOut:
    _check_months(months)
    monthly = monthly_amount(settings, region, on)
    return QuoteOut(monthly_amount=monthly, amount=monthly * months, year=on.year)


def reminder_schedule(settings: Settings, patent: Patent) -> list[rules.Reminder]:
    return rules.reminders(
        patent.issued_on,
        patent.months_paid,
        days_before=settings.patent_reminder_days,
        at=settings.patent_reminder_time,
    )


def _set_term(patent: Patent, months_paid: int, *, now: datetime, settings: Settings) -> None:
    """A new term: its end, and its reminders from the first (the worker sends the latest due)."""
    patent.months_paid = months_paid
    patent.valid_through = rules.valid_through(patent.issued_on, months_paid)
    patent.lapses_at = rules.lapses_at(patent.issued_on, months_paid)
    patent.next_reminder_at = reminder_schedule(settings, patent)[0].at
    patent.updated_at = now


def _insert(session: Session, patent: Patent) -> None:
    """A unique violation (the series and number, or a second valid patent) is a 409."""
    try:
        with session.begin_nested():
            session.add(patent)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "this patent number is taken, or the person already has a valid patent",
            code="patent_exists",
        ) from None


def issue(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    actor: Actor,
    person_id: uuid.UUID,
    series: str,
    number: str,
    issued_on: date,
    months: int,
    inn: str,
    region: Region = Region.MOSCOW,
    profession: str | None = None,
    employer: str | None = None,
) -> Patent:
    """Record a patent issued by the MMC with `months` already paid."""
    if session.get(Person, person_id) is None:
        raise NotFound("no such person", code="person_not_found")
    inn = check_inn(inn)
    _check_months(months)
    if issued_on > rules.moscow_date(now):
        raise InvalidInput("a patent cannot be issued in the future", code="invalid_issued_on")
    if rules.status_at(now, issued_on, months) is PatentStatus.LAPSED:
        raise InvalidInput("that term has already ended", code="already_lapsed")
    current = repo.current_for_person(session, person_id)
    if current is not None and current.status is PatentStatus.VALID:
        raise Conflict("the person already has a valid patent", code="patent_exists")
    patent = Patent(
        id=uuid.uuid4(),
        person_id=person_id,
        series=series.strip().upper(),
        number=number.strip().upper(),
        issued_on=issued_on,
        region=region,
        profession=profession,
        inn=inn,
        employer=employer,
        status=PatentStatus.VALID,
        created_at=now,
    )
    _set_term(patent, months, now=now, settings=settings)
    _insert(session, patent)
    record(
        session,
        now=now,
        actor=actor,
        action="patent.issued",
        subject_type="patent",
        subject_id=patent.id,
        person_id=person_id,
        data={"months": months, "issued_on": issued_on.isoformat(), "region": region.value},
    )
    return patent


def reissue(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    actor: Actor,
    person_id: uuid.UUID,
    series: str,
    number: str,
    months: int,
    issued_on: date | None = None,
) -> Patent:
    """After the full 12 months, once, for up to another 12, with a new series and number."""
    old = repo.current_for_person(session, person_id)
    if old is None:
        raise NotFound("the person has no patent", code="patent_not_found")
    old = repo.lock(session, old.id)
    if old.reissue_of is not None:
        raise Conflict("a patent can be re-issued only once", code="already_reissued")
    if old.months_paid < rules.MAX_TERM_MONTHS:
        raise Conflict(
            "a patent is re-issued only after its 12 months are paid", code="term_not_complete"
        )
    _check_months(months)
    start = issued_on or rules.lapse_date(old.issued_on, old.months_paid)
    old.status, old.updated_at = PatentStatus.REISSUED, now
    session.flush()
    patent = Patent(
        id=uuid.uuid4(),
        person_id=person_id,
        series=series.strip().upper(),
        number=number.strip().upper(),
        issued_on=start,
        region=old.region,
        profession=old.profession,
        inn=old.inn,
        employer=old.employer,
        status=PatentStatus.VALID,
        reissue_of=old.id,
        created_at=now,
    )
    _set_term(patent, months, now=now, settings=settings)
    patent.status = rules.status_at(now, start, months)
    _insert(session, patent)
    supersede_lapse_review(session, now=now, patent_id=old.id)
    record(
        session,
        now=now,
        actor=actor,
        action="patent.reissued",
        subject_type="patent",
        subject_id=patent.id,
        person_id=person_id,
        data={"reissue_of": str(old.id), "months": months, "issued_on": start.isoformat()},
    )
    return patent


def current(session: Session, person_id: uuid.UUID) -> Patent:
    patent = repo.current_for_person(session, person_id)
    if patent is None:
        raise NotFound("no patent is recorded for this person", code="patent_not_found")
    return patent


def view(session: Session, patent: Patent, *, now: datetime, settings: Settings) -> PatentOut:
    status = (
        patent.status
        if patent.status is PatentStatus.REISSUED
        else rules.status_at(now, patent.issued_on, patent.months_paid)
    )
    today = rules.moscow_date(now)
    try:
        monthly: int | None = rules.monthly_amount(data.rates(settings), patent.region, today)
    except rules.NoRate:
        monthly = None
    return PatentOut(
        patent_id=patent.id,
        person_id=patent.person_id,
        series=patent.series,
        number=patent.number,
        issued_on=patent.issued_on,
        region=patent.region,
        profession=patent.profession,
        employer=patent.employer,
        inn=patent.inn,
        status=status_code(status),
        valid_through=patent.valid_through,
        lapses_at=patent.lapses_at,
        months_paid=patent.months_paid,
        months_payable=rules.MAX_TERM_MONTHS - patent.months_paid,
        days_left=max((patent.valid_through - today).days + 1, 0),
        monthly_amount_rub=monthly,
        reissue_of=patent.reissue_of,
        payments=[PaymentOut.model_validate(p) for p in repo.payments(session, patent.id)],
    )


def payment_block(
    patent: Patent, *, now: datetime, settings: Settings, months: int
) -> PaymentBlock:
    """What to pay for `months` more, today: the amount, the details, and the QR."""
    if rules.status_at(now, patent.issued_on, patent.months_paid) is not PatentStatus.VALID:
        raise Conflict(
            "the patent has lapsed; a payment now would not revive it", code="patent_lapsed"
        )
    _check_months(months, months_paid=patent.months_paid)
    monthly = monthly_amount(settings, patent.region, rules.moscow_date(now))
    payee = data.payee(settings)
    amount_kopecks = monthly * months * 100
    purpose = payee.purpose.format(series=patent.series, number=patent.number, months=months)
    text = qr.payload(payee, sum_kopecks=amount_kopecks, purpose=purpose, payer_inn=patent.inn)
    details = [
        PayeeDetail(field=name, value=payee.fields.get(name), known=bool(payee.fields.get(name)))
        for name in (*data.REQUIRED_FIELDS, *data.TAX_FIELDS)
    ]
    return PaymentBlock(
        months=months,
        monthly_amount_rub=monthly,
        amount_rub=monthly * months,
        amount_kopecks=amount_kopecks,
        purpose=purpose,
        qr_svg=qr.svg(text) if text else None,
        payload=text,
        details=details,
        unknown_fields=payee.unknown,
        source=payee.source,
        as_of=payee.as_of,
    )


def me_patent(
    session: Session, person: Person, *, now: datetime, settings: Settings, months: int | None
) -> MePatentOut:
    patent = current(session, person.id)
    shown = view(session, patent, now=now, settings=settings)
    block = payment_block(patent, now=now, settings=settings, months=months) if months else None
    return MePatentOut(**shown.model_dump(), payment=block)


def after_credit(
    session: Session, patent: Patent, *, now: datetime, settings: Settings, months_paid: int
) -> None:
    """Extend the term; a lapse noted before a timely payment arrived is undone."""
    _set_term(patent, months_paid, now=now, settings=settings)
    if patent.status is not PatentStatus.REISSUED:
        patent.status = rules.status_at(now, patent.issued_on, months_paid)
        if patent.status is PatentStatus.VALID:
            supersede_lapse_review(session, now=now, patent_id=patent.id)
