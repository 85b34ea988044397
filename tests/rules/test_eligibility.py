"""Every row of rules.md §1, in its order, plus test mode and the edges."""

from __future__ import annotations

from datetime import date

import pytest

from amina.rules.eligibility import (
    Category,
    Eligibility,
    EligibilityPolicy,
    PersonFacts,
    Purpose,
    Reason,
    Status,
    birthday,
    evaluate,
)

ON = date(2026, 11, 20)


def facts(**changes: object) -> PersonFacts:
    base: dict[str, object] = {
        "citizenship": "UZ",
        "birth_date": date(1995, 4, 12),
        "purpose": Purpose.WORK,
        "entry_date": date(2026, 10, 1),
    }
    base.update(changes)
    return PersonFacts(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("person", "on", "expected"),
    [
        # citizen of Belarus
        (facts(citizenship="BY"), ON, Eligibility(Status.EXEMPT, Reason.BELARUS_CITIZEN)),
        (facts(citizenship="by"), ON, Eligibility(Status.EXEMPT, Reason.BELARUS_CITIZEN)),
        # under 18: exempt until the 18th birthday
        (
            facts(birth_date=date(2010, 3, 5)),
            ON,
            Eligibility(Status.EXEMPT, Reason.MINOR, date(2028, 3, 5)),
        ),
        # diplomats, international organisations, their families
        (facts(category=Category.DIPLOMAT), ON, Eligibility(Status.EXEMPT, Reason.DIPLOMAT)),
        (
            facts(category=Category.INTERNATIONAL_ORG),
            ON,
            Eligibility(Status.EXEMPT, Reason.INTERNATIONAL_ORG),
        ),
        (
            facts(category=Category.FAMILY_OF_EXEMPT),
            ON,
            Eligibility(Status.EXEMPT, Reason.FAMILY_OF_EXEMPT),
        ),
        # RVP or VNZh
        (facts(residence_permit=True), ON, Eligibility(Status.EXEMPT, Reason.RESIDENCE_PERMIT)),
        # citizenship not participating
        (
            facts(citizenship="CN"),
            ON,
            Eligibility(Status.NOT_APPLICABLE, Reason.CITIZENSHIP_NOT_PARTICIPATING),
        ),
        # work: required from 2025-09-01
        (facts(), ON, Eligibility(Status.REQUIRED, Reason.WORK, date(2025, 9, 1))),
        (facts(), date(2025, 9, 1), Eligibility(Status.REQUIRED, Reason.WORK, date(2025, 9, 1))),
        (
            facts(entry_date=date(2025, 6, 1)),
            date(2025, 8, 31),
            Eligibility(Status.TEST_MODE, Reason.WORK, date(2025, 9, 1)),
        ),
        # other purpose, declared stay > 90 days: required from 2026-09-01
        (
            facts(purpose=Purpose.STUDY, stay_days=180),
            ON,
            Eligibility(Status.REQUIRED, Reason.LONG_STAY, date(2026, 9, 1)),
        ),
        (
            facts(purpose=Purpose.STUDY, stay_days=180, entry_date=date(2026, 1, 10)),
            date(2026, 3, 1),
            Eligibility(Status.TEST_MODE, Reason.LONG_STAY, date(2026, 9, 1)),
        ),
        # other purpose, day 91+ since entry (entry 1 Oct: day 91 is 30 Dec)
        (
            facts(purpose=Purpose.PRIVATE),
            date(2026, 12, 30),
            Eligibility(Status.REQUIRED, Reason.LONG_STAY, date(2026, 9, 1)),
        ),
        # other purpose, stay ≤ 90 days: day 90 is still a short stay
        (
            facts(purpose=Purpose.PRIVATE),
            date(2026, 12, 29),
            Eligibility(Status.NOT_APPLICABLE, Reason.SHORT_STAY),
        ),
        (
            facts(purpose=Purpose.TOURISM, stay_days=90),
            ON,
            Eligibility(Status.NOT_APPLICABLE, Reason.SHORT_STAY),
        ),
        (
            facts(purpose=Purpose.BUSINESS, stay_days=91),
            ON,
            Eligibility(Status.REQUIRED, Reason.LONG_STAY, date(2026, 9, 1)),
        ),
    ],
)
def test_rules_table(person: PersonFacts, on: date, expected: Eligibility) -> None:
    assert evaluate(person, on) == expected


def test_exemptions_are_checked_before_the_rest() -> None:
    # A Belarusian minor diplomat with a permit: the first row wins.
    person = facts(
        citizenship="BY",
        birth_date=date(2012, 1, 1),
        category=Category.DIPLOMAT,
        residence_permit=True,
    )
    assert evaluate(person, ON).reason is Reason.BELARUS_CITIZEN
    # A minor who is also a diplomat: the age row comes first, but they will never be required.
    minor_diplomat = facts(birth_date=date(2012, 1, 1), category=Category.DIPLOMAT)
    assert evaluate(minor_diplomat, ON) == Eligibility(Status.EXEMPT, Reason.MINOR, None)
    # A minor from a non-participating state will never be required either.
    assert evaluate(facts(citizenship="CN", birth_date=date(2012, 1, 1)), ON).required_from is None


def test_a_minor_is_required_from_the_later_of_birthday_and_start() -> None:
    # Turns 18 in 2026-03, a long stay is required only from 2026-09-01.
    person = facts(purpose=Purpose.STUDY, stay_days=365, birth_date=date(2008, 3, 1))
    assert evaluate(person, date(2026, 2, 1)) == Eligibility(
        Status.EXEMPT, Reason.MINOR, date(2026, 9, 1)
    )


def test_the_18th_birthday_itself_is_no_longer_minor() -> None:
    person = facts(birth_date=date(2008, 11, 20))
    assert evaluate(person, date(2026, 11, 19)).reason is Reason.MINOR
    assert evaluate(person, date(2026, 11, 20)).status is Status.REQUIRED


def test_born_on_29_february_comes_of_age_on_1_march() -> None:
    assert birthday(date(2008, 2, 29), 18) == date(2026, 3, 1)
    assert birthday(date(2008, 2, 29), 16) == date(2024, 2, 29)


def test_participating_list_is_a_setting() -> None:
    policy = EligibilityPolicy(participating=frozenset({"UZ"}))
    assert evaluate(facts(citizenship="TJ"), ON, policy).status is Status.NOT_APPLICABLE
    assert evaluate(facts(citizenship="UZ"), ON, policy).status is Status.REQUIRED


def test_may_register_and_legal_effect() -> None:
    required = Eligibility(Status.REQUIRED, Reason.WORK, date(2025, 9, 1))
    test_mode = Eligibility(Status.TEST_MODE, Reason.WORK, date(2025, 9, 1))
    exempt = Eligibility(Status.EXEMPT, Reason.DIPLOMAT)
    assert required.may_register and required.has_legal_effect
    assert test_mode.may_register and not test_mode.has_legal_effect
    assert not exempt.may_register and not exempt.has_legal_effect
