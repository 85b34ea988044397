"""rules.md §7: the patent's amount, term, payments and reminders (pure, no database)."""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amina.rules.calendar import MOSCOW
from amina.rules.patents import (
    MAX_TERM_MONTHS,
    NoRate,
    PatentRuleError,
    PatentStatus,
    PaymentFlag,
    Rate,
    Region,
    Reminder,
    add_months,
    apply_payment,
    check_months,
    due_reminder,
    inn_is_valid,
    lapses_at,
    monthly_amount,
    moscow_date,
    reminders,
    status_at,
    valid_through,
)

RATES = [
    Rate(Region.MOSCOW, 2025, Decimal("2.594"), Decimal("2.8592")),
    Rate(Region.MOSCOW, 2026, Decimal("2.842"), Decimal("2.9323")),
    Rate(Region.MOSCOW_OBLAST, 2025, Decimal("2.594"), Decimal("2.8592")),
    Rate(Region.MOSCOW_OBLAST, 2026, Decimal("2.842"), Decimal("2.9323")),
]


@pytest.mark.parametrize(
    ("region", "on", "expected"),
    [
        (Region.MOSCOW, date(2025, 1, 1), 8900),
        (Region.MOSCOW, date(2025, 12, 31), 8900),
        (Region.MOSCOW, date(2026, 1, 1), 10000),
        (Region.MOSCOW_OBLAST, date(2025, 6, 1), 8900),
        (Region.MOSCOW_OBLAST, date(2026, 6, 1), 10000),
    ],
)
def test_monthly_amount_from_the_dated_table(region: Region, on: date, expected: int) -> None:
    assert monthly_amount(RATES, region, on) == expected


def test_a_year_without_a_row_has_no_amount() -> None:
    with pytest.raises(NoRate, match="2027"):
        monthly_amount(RATES, Region.MOSCOW, date(2027, 1, 1))


def test_rounding_is_to_whole_rubles_half_up() -> None:
    assert Rate(Region.MOSCOW, 2030, Decimal(1), Decimal("0.0004166")).monthly_rub == 0
    assert Rate(Region.MOSCOW, 2030, Decimal(1), Decimal("0.00125")).monthly_rub == 2  # 1.5


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 3, 15), 1, date(2026, 4, 15)),
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 2, 29), 1, date(2024, 3, 29)),
        (date(2026, 8, 31), 1, date(2026, 9, 30)),
        (date(2026, 11, 30), 2, date(2027, 1, 30)),  # change of year
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2026, 5, 10), 0, date(2026, 5, 10)),
        (date(2026, 1, 31), 12, date(2027, 1, 31)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_the_example_of_section_7() -> None:
    issued = date(2026, 3, 15)
    assert valid_through(issued, 1) == date(2026, 4, 14)
    assert lapses_at(issued, 1) == datetime(2026, 4, 15, 0, 0, tzinfo=MOSCOW)
    effect = apply_payment(
        issued_on=issued,
        months_paid=1,
        amount_kopecks=2 * 10000 * 100,
        paid_on=date(2026, 4, 14),  # the last valid day
        monthly_rub=10000,
    )
    assert effect.months_credited == 2
    assert effect.flags == frozenset()
    assert valid_through(issued, effect.months_paid_after) == date(2026, 6, 14)


def test_issued_on_the_31st_is_valid_through_the_day_before_the_months_end() -> None:
    assert valid_through(date(2026, 1, 31), 1) == date(2026, 2, 27)
    assert valid_through(date(2024, 1, 31), 1) == date(2024, 2, 28)
    assert valid_through(date(2024, 1, 31), 2) == date(2024, 3, 30)


def test_a_payment_the_day_after_the_last_valid_day_is_after_lapse() -> None:
    effect = apply_payment(
        issued_on=date(2026, 3, 15),
        months_paid=1,
        amount_kopecks=2_000_000,
        paid_on=date(2026, 4, 15),
        monthly_rub=10000,
    )
    assert effect.months_credited == 0
    assert effect.months_paid_after == 1
    assert effect.refused_months == 2
    assert effect.flags == {PaymentFlag.AFTER_LAPSE}


def test_paid_in_december_at_the_old_amount_counts_in_full() -> None:
    # Paid on 20 Dec 2025 for 3 months at 8,900 ₽: January and February 2026 need no top-up.
    paid_on = date(2025, 12, 20)
    monthly = monthly_amount(RATES, Region.MOSCOW, paid_on)
    effect = apply_payment(
        issued_on=date(2025, 10, 25),
        months_paid=2,
        amount_kopecks=3 * monthly * 100,
        paid_on=paid_on,
        monthly_rub=monthly,
    )
    assert (monthly, effect.months_credited, effect.flags) == (8900, 3, frozenset())
    assert valid_through(date(2025, 10, 25), effect.months_paid_after) == date(2026, 3, 24)


def test_a_remainder_and_zero_months_are_flagged() -> None:
    base = {"issued_on": date(2026, 3, 15), "months_paid": 1, "paid_on": date(2026, 4, 1)}
    part = apply_payment(**base, amount_kopecks=1_050_000, monthly_rub=10000)  # type: ignore[arg-type]
    assert (part.months_credited, part.remainder_kopecks) == (1, 50_000)
    assert part.flags == {PaymentFlag.REMAINDER}
    zero = apply_payment(**base, amount_kopecks=999_999, monthly_rub=10000)  # type: ignore[arg-type]
    assert (zero.months_credited, zero.remainder_kopecks) == (0, 999_999)
    assert zero.flags == {PaymentFlag.ZERO_MONTHS, PaymentFlag.REMAINDER}


def test_months_beyond_the_term_are_flagged_and_not_credited() -> None:
    effect = apply_payment(
        issued_on=date(2026, 1, 10),
        months_paid=10,
        amount_kopecks=3_000_000,
        paid_on=date(2026, 5, 1),
        monthly_rub=10000,
    )
    assert (effect.months_credited, effect.months_paid_after, effect.refused_months) == (2, 12, 1)
    assert effect.flags == {PaymentFlag.BEYOND_TERM}


def test_a_payment_without_a_rate_is_flagged_and_credits_nothing() -> None:
    effect = apply_payment(
        issued_on=date(2026, 1, 10),
        months_paid=1,
        amount_kopecks=1_000_000,
        paid_on=date(2026, 2, 1),
        monthly_rub=None,
    )
    assert (effect.months_credited, effect.remainder_kopecks) == (0, 1_000_000)
    assert effect.flags == {PaymentFlag.NO_RATE}
    late = apply_payment(
        issued_on=date(2026, 1, 10),
        months_paid=1,
        amount_kopecks=1_000_000,
        paid_on=date(2026, 2, 10),
        monthly_rub=None,
    )
    assert late.flags == {PaymentFlag.NO_RATE, PaymentFlag.AFTER_LAPSE}


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (datetime(2026, 4, 14, 23, 59, 59, tzinfo=MOSCOW), PatentStatus.VALID),
        (datetime(2026, 4, 15, 0, 0, tzinfo=MOSCOW), PatentStatus.LAPSED),
    ],
)
def test_status_turns_at_midnight_moscow(now: datetime, expected: PatentStatus) -> None:
    assert status_at(now, date(2026, 3, 15), 1) is expected


def test_moscow_date_of_an_instant() -> None:
    assert moscow_date(datetime.fromisoformat("2026-04-14T21:30:00+00:00")) == date(2026, 4, 15)


@pytest.mark.parametrize(
    ("months", "paid", "code"),
    [(0, 0, "invalid_months"), (13, 0, "invalid_months"), (3, 10, "beyond_term")],
)
def test_check_months_refuses(months: int, paid: int, code: str) -> None:
    with pytest.raises(PatentRuleError) as raised:
        check_months(months, months_paid=paid)
    assert raised.value.code == code


def test_check_months_accepts_up_to_the_term() -> None:
    check_months(2, months_paid=10)
    check_months(12)


def test_reminders_7_3_1_days_before_and_on_the_day() -> None:
    schedule = reminders(date(2026, 3, 15), 1, days_before=(7, 3, 1), at=time(10, 0))
    assert schedule == [
        Reminder(7, datetime(2026, 4, 8, 10, 0, tzinfo=MOSCOW)),
        Reminder(3, datetime(2026, 4, 12, 10, 0, tzinfo=MOSCOW)),
        Reminder(1, datetime(2026, 4, 14, 10, 0, tzinfo=MOSCOW)),
        Reminder(0, datetime(2026, 4, 15, 10, 0, tzinfo=MOSCOW)),
    ]


def test_only_the_latest_due_reminder_is_sent() -> None:
    schedule = reminders(date(2026, 3, 15), 1, days_before=(7, 3, 1), at=time(10, 0))
    assert due_reminder(schedule, datetime(2026, 4, 8, 9, 59, tzinfo=MOSCOW)) is None
    assert due_reminder(schedule, datetime(2026, 4, 8, 10, 0, tzinfo=MOSCOW)) == schedule[0]
    due = due_reminder(schedule, datetime(2026, 4, 13, 8, 0, tzinfo=MOSCOW))
    assert due is not None and due.days_before == 3


@pytest.mark.parametrize(
    ("inn", "valid"),
    [
        ("500100732259", True),
        ("773370857141", True),
        ("500100732258", False),  # second check digit wrong
        ("500100732269", False),  # first check digit wrong
        ("50010073225", False),  # 11 digits
        ("5001007322590", False),
        ("50010073225a", False),
        ("５００１００７３２２５９", False),  # full-width digits are not ASCII
    ],
)
def test_inn_check_digits(inn: str, valid: bool) -> None:
    assert inn_is_valid(inn) is valid


# -- properties -------------------------------------------------------------------------------

issue_dates = st.dates(min_value=date(2024, 1, 1), max_value=date(2028, 12, 31))


@given(issued=issue_dates, paid=st.integers(0, 11), more=st.integers(1, 12))
def test_valid_through_never_moves_back(issued: date, paid: int, more: int) -> None:
    after = min(paid + more, MAX_TERM_MONTHS)
    assert valid_through(issued, after) >= valid_through(issued, paid)


@given(
    issued=issue_dates,
    paid=st.integers(1, 12),
    amount=st.integers(0, 20 * 1_000_000),
    offset=st.integers(-60, 400),
    monthly=st.sampled_from([8900, 10000, None]),
)
def test_a_payment_never_shortens_and_never_passes_the_term(
    issued: date, paid: int, amount: int, offset: int, monthly: int | None
) -> None:
    paid_on = date.fromordinal(issued.toordinal() + offset)
    effect = apply_payment(
        issued_on=issued,
        months_paid=paid,
        amount_kopecks=amount,
        paid_on=paid_on,
        monthly_rub=monthly,
    )
    assert effect.months_paid_after >= paid
    assert effect.months_paid_after <= MAX_TERM_MONTHS
    assert valid_through(issued, effect.months_paid_after) >= valid_through(issued, paid)
    assert add_months(issued, effect.months_paid_after) <= add_months(issued, MAX_TERM_MONTHS)
    # Nothing is lost: credited, refused and the remainder add up to what arrived.
    if monthly is not None:
        accounted = (effect.months_credited + effect.refused_months) * monthly * 100
        assert accounted + effect.remainder_kopecks == amount
