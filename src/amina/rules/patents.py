"""The work patent and its monthly advance of personal income tax (rules.md §7).

Pure: no database, no clock. The rate table and "now" are arguments.

- The monthly amount is 1,200 ₽ × the year's federal deflator × the region's coefficient,
  rounded to whole rubles, from a dated table; a year without a row has no amount.
- After N paid months a patent issued on I is valid through add_months(I, N) − 1 day and lapses
  at 00:00 Moscow time on add_months(I, N). The term never passes 12 months from I.
- A payment extends the patent only if its Moscow date is on or before the last valid day; only
  whole months count; what cannot be credited is flagged, never dropped.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from amina.rules.calendar import MOSCOW

BASE_AMOUNT_RUB = Decimal(1200)
MAX_TERM_MONTHS = 12
INN_LENGTH = 12
_INN_WEIGHTS_11 = (7, 2, 4, 10, 3, 5, 9, 4, 6, 8)
_INN_WEIGHTS_12 = (3, 7, 2, 4, 10, 3, 5, 9, 4, 6, 8)


class Region(StrEnum):
    MOSCOW = "moscow"
    MOSCOW_OBLAST = "moscow_oblast"


class PatentStatus(StrEnum):
    VALID = "valid"
    LAPSED = "lapsed"
    # Superseded by its re-issue (a new series and number).
    REISSUED = "reissued"


class PaymentFlag(StrEnum):
    """Why a payment needs an officer (a refund or a decision); an unflagged one just counts."""

    UNKNOWN_PATENT = "unknown_patent"
    NO_RATE = "no_rate"
    ZERO_MONTHS = "zero_months"
    REMAINDER = "remainder"
    AFTER_LAPSE = "after_lapse"
    BEYOND_TERM = "beyond_term"


class NoRate(ValueError):
    """No (region, year) row: the amount is unknown, so the payment is refused."""


class PatentRuleError(ValueError):
    """A request that §7 refuses; `code` is the stable error code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class Rate:
    region: Region
    year: int
    deflator: Decimal
    coefficient: Decimal

    @property
    def monthly_rub(self) -> int:
        amount = BASE_AMOUNT_RUB * self.deflator * self.coefficient
        return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def monthly_amount(rates: Iterable[Rate], region: Region, on: date) -> int:
    """The monthly advance in whole rubles in force on a Moscow date."""
    for rate in rates:
        if rate.region is region and rate.year == on.year:
            return rate.monthly_rub
    raise NoRate(f"no patent rate for {region.value} in {on.year}")


def add_months(start: date, months: int) -> date:
    """The same day `months` later, or that month's last day where the day does not exist."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(start.day, last))


def lapse_date(issued_on: date, months_paid: int) -> date:
    """The first day on which the patent is no longer valid."""
    return add_months(issued_on, months_paid)


def valid_through(issued_on: date, months_paid: int) -> date:
    return lapse_date(issued_on, months_paid) - timedelta(days=1)


def lapses_at(issued_on: date, months_paid: int) -> datetime:
    return datetime.combine(lapse_date(issued_on, months_paid), time(0, 0), tzinfo=MOSCOW)


def moscow_date(instant: datetime) -> date:
    return instant.astimezone(MOSCOW).date()


def status_at(now: datetime, issued_on: date, months_paid: int) -> PatentStatus:
    return PatentStatus.LAPSED if now >= lapses_at(issued_on, months_paid) else PatentStatus.VALID


def check_months(months: int, *, months_paid: int = 0) -> None:
    """Refuse, before payment, a number of months outside 1–12 or past the 12-month term."""
    if not 1 <= months <= MAX_TERM_MONTHS:
        raise PatentRuleError("invalid_months", "choose between 1 and 12 months")
    if months_paid + months > MAX_TERM_MONTHS:
        left = MAX_TERM_MONTHS - months_paid
        raise PatentRuleError(
            "beyond_term", f"the term is at most 12 months; {left} month(s) can still be paid"
        )


@dataclass(frozen=True)
class PaymentEffect:
    months_credited: int
    remainder_kopecks: int
    months_paid_after: int
    flags: frozenset[PaymentFlag]
    # Whole months that arrived but could not be credited (after the lapse or past the term).
    refused_months: int = 0


def apply_payment(
    *,
    issued_on: date,
    months_paid: int,
    amount_kopecks: int,
    paid_on: date,
    monthly_rub: int | None,
) -> PaymentEffect:
    """What a payment of `amount_kopecks` made on the Moscow date `paid_on` does to a patent."""
    late = paid_on > valid_through(issued_on, months_paid)
    if monthly_rub is None:
        flags = {PaymentFlag.NO_RATE, *([PaymentFlag.AFTER_LAPSE] if late else [])}
        return PaymentEffect(0, amount_kopecks, months_paid, frozenset(flags))
    month_kopecks = monthly_rub * 100
    whole, remainder = divmod(amount_kopecks, month_kopecks)
    flags = set()
    if whole == 0:
        flags.add(PaymentFlag.ZERO_MONTHS)
    if remainder:
        flags.add(PaymentFlag.REMAINDER)
    if late:
        flags.add(PaymentFlag.AFTER_LAPSE)
        return PaymentEffect(0, remainder, months_paid, frozenset(flags), refused_months=whole)
    credited = min(whole, MAX_TERM_MONTHS - months_paid)
    if credited < whole:
        flags.add(PaymentFlag.BEYOND_TERM)
    return PaymentEffect(
        credited,
        remainder,
        months_paid + credited,
        frozenset(flags),
        refused_months=whole - credited,
    )


@dataclass(frozen=True)
class Reminder:
    days_before: int  # 0: on the day it lapses
    at: datetime


def reminders(
    issued_on: date, months_paid: int, *, days_before: Sequence[int], at: time
) -> list[Reminder]:
    """The reminders of §7 for the current term, earliest first: `days_before` the lapse date
    (e.g. 7, 3, 1) and on the lapse date itself, each at the time of day `at` (Moscow)."""
    lapse = lapse_date(issued_on, months_paid)
    days = sorted({*days_before, 0}, reverse=True)
    return [
        Reminder(d, datetime.combine(lapse - timedelta(days=d), at, tzinfo=MOSCOW)) for d in days
    ]


def due_reminder(schedule: Sequence[Reminder], now: datetime) -> Reminder | None:
    """The latest reminder that is due: after a pause only the newest is sent, not a burst."""
    due = [r for r in schedule if r.at <= now]
    return due[-1] if due else None


def inn_is_valid(inn: str) -> bool:
    """A person's ИНН: 12 digits whose 11th and 12th are the two check digits."""
    if len(inn) != INN_LENGTH or not inn.isascii() or not inn.isdigit():
        return False
    digits = [int(c) for c in inn]
    check_11 = sum(w * d for w, d in zip(_INN_WEIGHTS_11, digits, strict=False)) % 11 % 10
    check_12 = sum(w * d for w, d in zip(_INN_WEIGHTS_12, digits, strict=False)) % 11 % 10
    return digits[10] == check_11 and digits[11] == check_12
