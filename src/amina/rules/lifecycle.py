"""The states of registrations, cases, registry entries and deliveries, as explicit tables.

Each table lists every legal (state, event) → state move. Anything else raises
`IllegalTransition`: nothing passes silently.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

S = TypeVar("S", bound=StrEnum)
E = TypeVar("E", bound=StrEnum)


class IllegalTransition(ValueError):
    def __init__(self, machine: str, state: StrEnum, event: StrEnum) -> None:
        super().__init__(f"{machine}: '{event}' is not allowed in state '{state}'")
        self.machine = machine
        self.state = state
        self.event = event


@dataclass(frozen=True)
class TransitionTable(Generic[S, E]):
    name: str
    moves: Mapping[tuple[S, E], S]

    def apply(self, state: S, event: E) -> S:
        try:
            return self.moves[(state, event)]
        except KeyError:
            raise IllegalTransition(self.name, state, event) from None

    def allows(self, state: S, event: E) -> bool:
        return (state, event) in self.moves


# -- Registration at the MMC address (rules.md §3, §5) ------------------------------------------


class RegistrationStatus(StrEnum):
    ACTIVE = "active"
    DEREGISTERED = "deregistered"


class Ground(StrEnum):
    """Why a registration ended (rules.md §5)."""

    NO_GEOLOCATION = "no_geolocation"
    REGISTERED_ELSEWHERE = "registered_elsewhere"
    LEFT_COUNTRY = "left_country"
    DEATH = "death"
    OFFICER_DECISION = "officer_decision"


class RegistrationEvent(StrEnum):
    DEREGISTER = "deregister"
    # An officer's decision on a reinstatement review: the deregistration is annulled.
    REINSTATE = "reinstate"


REGISTRATION = TransitionTable[RegistrationStatus, RegistrationEvent](
    "registration",
    {
        (RegistrationStatus.ACTIVE, RegistrationEvent.DEREGISTER): RegistrationStatus.DEREGISTERED,
        (RegistrationStatus.DEREGISTERED, RegistrationEvent.REINSTATE): RegistrationStatus.ACTIVE,
    },
)

# Only an absence of reports can be cured by late evidence; the other grounds are facts.
REINSTATABLE_GROUNDS = frozenset({Ground.NO_GEOLOCATION})


def check_reinstatable(ground: Ground | None) -> None:
    if ground not in REINSTATABLE_GROUNDS:
        raise IllegalTransition(
            "registration", RegistrationStatus.DEREGISTERED, RegistrationEvent.REINSTATE
        )


# -- Cases: violations and reinstatement reviews (rules.md §6) ----------------------------------


class CaseKind(StrEnum):
    VIOLATION = "violation"
    REINSTATEMENT_REVIEW = "reinstatement_review"
    # A work patent lapsed (rules.md §7): an officer looks; nothing else follows from it.
    PATENT_LAPSED = "patent_lapsed"


class CaseStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CaseEvent(StrEnum):
    CLOSE = "close"


class CaseOutcome(StrEnum):
    # violation
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"
    # reinstatement review
    REINSTATED = "reinstated"
    REJECTED = "rejected"
    # either: made moot by a later event (e.g. another review reinstated the person)
    SUPERSEDED = "superseded"


CASE_OUTCOMES: Mapping[CaseKind, frozenset[CaseOutcome]] = {
    CaseKind.VIOLATION: frozenset(
        {CaseOutcome.CONFIRMED, CaseOutcome.DISMISSED, CaseOutcome.SUPERSEDED}
    ),
    CaseKind.REINSTATEMENT_REVIEW: frozenset(
        {CaseOutcome.REINSTATED, CaseOutcome.REJECTED, CaseOutcome.SUPERSEDED}
    ),
    # confirmed: the lapse stands; dismissed: it was wrong; superseded: a timely payment arrived.
    CaseKind.PATENT_LAPSED: frozenset(
        {CaseOutcome.CONFIRMED, CaseOutcome.DISMISSED, CaseOutcome.SUPERSEDED}
    ),
}

CASE = TransitionTable[CaseStatus, CaseEvent](
    "case", {(CaseStatus.OPEN, CaseEvent.CLOSE): CaseStatus.CLOSED}
)


def check_case_outcome(kind: CaseKind, outcome: CaseOutcome) -> None:
    if outcome not in CASE_OUTCOMES[kind]:
        raise ValueError(f"outcome '{outcome}' does not apply to a {kind} case")


# -- The registry of controlled persons (rules.md §6) -------------------------------------------


class RegistryStatus(StrEnum):
    PROPOSED = "proposed"
    LISTED = "listed"
    REJECTED = "rejected"
    REMOVED = "removed"


class RegistryEvent(StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    REMOVE = "remove"


REGISTRY = TransitionTable[RegistryStatus, RegistryEvent](
    "registry entry",
    {
        (RegistryStatus.PROPOSED, RegistryEvent.APPROVE): RegistryStatus.LISTED,
        (RegistryStatus.PROPOSED, RegistryEvent.REJECT): RegistryStatus.REJECTED,
        (RegistryStatus.LISTED, RegistryEvent.REMOVE): RegistryStatus.REMOVED,
    },
)


class SameOfficer(ValueError):
    """The four-eyes rule: the officer who proposed an entry may not decide on it."""


def check_four_eyes(proposed_by: str, deciding_officer: str) -> None:
    if proposed_by == deciding_officer:
        raise SameOfficer("a registry entry must be approved by a different officer")


# -- Notification deliveries (the outbox) -------------------------------------------------------


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class DeliveryEvent(StrEnum):
    CLAIM = "claim"
    SUCCEED = "succeed"
    RETRY = "retry"
    GIVE_UP = "give_up"
    SKIP = "skip"


DELIVERY = TransitionTable[DeliveryStatus, DeliveryEvent](
    "delivery",
    {
        (DeliveryStatus.PENDING, DeliveryEvent.CLAIM): DeliveryStatus.SENDING,
        (DeliveryStatus.PENDING, DeliveryEvent.SKIP): DeliveryStatus.SKIPPED,
        # A worker that died mid-send leaves its claim; the next one takes it over.
        (DeliveryStatus.SENDING, DeliveryEvent.CLAIM): DeliveryStatus.SENDING,
        (DeliveryStatus.SENDING, DeliveryEvent.SUCCEED): DeliveryStatus.SENT,
        (DeliveryStatus.SENDING, DeliveryEvent.RETRY): DeliveryStatus.PENDING,
        (DeliveryStatus.SENDING, DeliveryEvent.GIVE_UP): DeliveryStatus.FAILED,
        (DeliveryStatus.SENDING, DeliveryEvent.SKIP): DeliveryStatus.SKIPPED,
    },
)
