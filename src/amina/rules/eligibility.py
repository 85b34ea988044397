"""Who must take part on a given date (rules.md §1).

Exemptions are checked before the rest. A person who will be required later, but is not yet,
may use the app in test mode: everything works, nothing has legal effect.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum


class Purpose(StrEnum):
    WORK = "work"
    STUDY = "study"
    PRIVATE = "private"
    TOURISM = "tourism"
    BUSINESS = "business"


class Category(StrEnum):
    NONE = "none"
    DIPLOMAT = "diplomat"
    INTERNATIONAL_ORG = "international_org"
    FAMILY_OF_EXEMPT = "family_of_exempt"


class Status(StrEnum):
    REQUIRED = "required"
    EXEMPT = "exempt"
    NOT_APPLICABLE = "not_applicable"
    TEST_MODE = "test_mode"


class Reason(StrEnum):
    BELARUS_CITIZEN = "belarus_citizen"
    MINOR = "minor"
    DIPLOMAT = "diplomat"
    INTERNATIONAL_ORG = "international_org"
    FAMILY_OF_EXEMPT = "family_of_exempt"
    RESIDENCE_PERMIT = "residence_permit"
    CITIZENSHIP_NOT_PARTICIPATING = "citizenship_not_participating"
    WORK = "work"
    LONG_STAY = "long_stay"
    SHORT_STAY = "short_stay"


@dataclass(frozen=True)
class EligibilityPolicy:
    participating: frozenset[str] = frozenset(
        {"UZ", "TJ", "KG", "AM", "KZ", "GE", "AZ", "MD", "UA"}
    )
    work_required_from: date = date(2025, 9, 1)
    long_stay_required_from: date = date(2026, 9, 1)
    short_stay_max_days: int = 90
    adult_age_years: int = 18


@dataclass(frozen=True)
class PersonFacts:
    citizenship: str
    birth_date: date
    purpose: Purpose
    entry_date: date
    stay_days: int | None = None
    category: Category = Category.NONE
    residence_permit: bool = False


@dataclass(frozen=True)
class Eligibility:
    status: Status
    reason: Reason
    required_from: date | None = field(default=None)

    @property
    def may_register(self) -> bool:
        return self.status in (Status.REQUIRED, Status.TEST_MODE)

    @property
    def has_legal_effect(self) -> bool:
        return self.status is Status.REQUIRED


_CATEGORY_REASONS = {
    Category.DIPLOMAT: Reason.DIPLOMAT,
    Category.INTERNATIONAL_ORG: Reason.INTERNATIONAL_ORG,
    Category.FAMILY_OF_EXEMPT: Reason.FAMILY_OF_EXEMPT,
}


def birthday(birth_date: date, years: int) -> date:
    """The date on which someone born on `birth_date` turns `years` old.

    Someone born on 29 February comes of age on 1 March in a common year: the later of the two
    readings, so that nobody is required a day early.
    """
    try:
        return birth_date.replace(year=birth_date.year + years)
    except ValueError:
        return date(birth_date.year + years, 3, 1)


def _participation(facts: PersonFacts, on: date, policy: EligibilityPolicy) -> Eligibility:
    """Eligibility ignoring the exemptions: citizenship, purpose and length of stay."""
    if facts.citizenship.upper() not in policy.participating:
        return Eligibility(Status.NOT_APPLICABLE, Reason.CITIZENSHIP_NOT_PARTICIPATING)
    if facts.purpose is Purpose.WORK:
        reason, required_from = Reason.WORK, policy.work_required_from
    else:
        # Day 1 is the entry date, so day 91 is entry + 90 days.
        long_from = facts.entry_date + timedelta(days=policy.short_stay_max_days)
        declared_long = facts.stay_days is not None and facts.stay_days > policy.short_stay_max_days
        if not declared_long and on < long_from:
            return Eligibility(Status.NOT_APPLICABLE, Reason.SHORT_STAY)
        reason, required_from = Reason.LONG_STAY, policy.long_stay_required_from
    if on < required_from:
        return Eligibility(Status.TEST_MODE, reason, required_from)
    return Eligibility(Status.REQUIRED, reason, required_from)


def _after_age(facts: PersonFacts, on: date, policy: EligibilityPolicy) -> Eligibility:
    """Everything in the table below the age row."""
    if facts.category in _CATEGORY_REASONS:
        return Eligibility(Status.EXEMPT, _CATEGORY_REASONS[facts.category])
    if facts.residence_permit:
        return Eligibility(Status.EXEMPT, Reason.RESIDENCE_PERMIT)
    return _participation(facts, on, policy)


def evaluate(facts: PersonFacts, on: date, policy: EligibilityPolicy | None = None) -> Eligibility:
    """The person's status on date `on`, with its reason code and `required_from`.

    The rows of rules.md §1 are checked in their order; exemptions come first.
    """
    policy = policy or EligibilityPolicy()
    if facts.citizenship.upper() == "BY":
        return Eligibility(Status.EXEMPT, Reason.BELARUS_CITIZEN)
    rest = _after_age(facts, on, policy)
    adult_on = birthday(facts.birth_date, policy.adult_age_years)
    if on < adult_on:
        # Exempt until the 18th birthday; say from when they will be required, if they will be.
        required_from = None
        if rest.required_from is not None:
            required_from = max(adult_on, rest.required_from)
        return Eligibility(Status.EXEMPT, Reason.MINOR, required_from)
    return rest
