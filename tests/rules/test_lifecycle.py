"""The transition tables: every legal move, and that everything else raises."""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest

from amina.rules.lifecycle import (
    CASE,
    DELIVERY,
    REGISTRATION,
    REGISTRY,
    CaseEvent,
    CaseKind,
    CaseOutcome,
    CaseStatus,
    DeliveryEvent,
    DeliveryStatus,
    Ground,
    IllegalTransition,
    RegistrationEvent,
    RegistrationStatus,
    RegistryEvent,
    RegistryStatus,
    SameOfficer,
    TransitionTable,
    check_case_outcome,
    check_four_eyes,
    check_reinstatable,
)

LEGAL = {
    "registration": {
        ("active", "deregister"): "deregistered",
        ("deregistered", "reinstate"): "active",
    },
    "case": {("open", "close"): "closed"},
    "registry entry": {
        ("proposed", "approve"): "listed",
        ("proposed", "reject"): "rejected",
        ("listed", "remove"): "removed",
    },
    "delivery": {
        ("pending", "claim"): "sending",
        ("pending", "skip"): "skipped",
        ("sending", "claim"): "sending",
        ("sending", "succeed"): "sent",
        ("sending", "retry"): "pending",
        ("sending", "give_up"): "failed",
        ("sending", "skip"): "skipped",
    },
}

TABLES: list[tuple[TransitionTable[StrEnum, StrEnum], type[StrEnum], type[StrEnum]]] = [
    (REGISTRATION, RegistrationStatus, RegistrationEvent),  # type: ignore[list-item]
    (CASE, CaseStatus, CaseEvent),  # type: ignore[list-item]
    (REGISTRY, RegistryStatus, RegistryEvent),  # type: ignore[list-item]
    (DELIVERY, DeliveryStatus, DeliveryEvent),  # type: ignore[list-item]
]


@pytest.mark.parametrize(
    ("table", "states", "events"), TABLES, ids=lambda v: getattr(v, "name", "")
)
def test_every_pair_is_legal_or_raises(
    table: TransitionTable[StrEnum, StrEnum], states: type[StrEnum], events: type[StrEnum]
) -> None:
    legal = LEGAL[table.name]
    for state, event in itertools.product(states, events):
        expected = legal.get((state.value, event.value))
        if expected is None:
            assert not table.allows(state, event)
            with pytest.raises(IllegalTransition) as raised:
                table.apply(state, event)
            assert raised.value.state is state and raised.value.event is event
            assert table.name in str(raised.value)
        else:
            assert table.allows(state, event)
            assert table.apply(state, event).value == expected


def test_only_an_absence_can_be_reinstated() -> None:
    check_reinstatable(Ground.NO_GEOLOCATION)
    for ground in set(Ground) - {Ground.NO_GEOLOCATION}:
        with pytest.raises(IllegalTransition):
            check_reinstatable(ground)
    with pytest.raises(IllegalTransition):
        check_reinstatable(None)


def test_case_outcomes_belong_to_their_kind() -> None:
    check_case_outcome(CaseKind.VIOLATION, CaseOutcome.CONFIRMED)
    check_case_outcome(CaseKind.REINSTATEMENT_REVIEW, CaseOutcome.REINSTATED)
    with pytest.raises(ValueError, match="does not apply"):
        check_case_outcome(CaseKind.VIOLATION, CaseOutcome.REINSTATED)
    with pytest.raises(ValueError, match="does not apply"):
        check_case_outcome(CaseKind.REINSTATEMENT_REVIEW, CaseOutcome.CONFIRMED)


def test_four_eyes() -> None:
    check_four_eyes("officer-a", "officer-b")
    with pytest.raises(SameOfficer):
        check_four_eyes("officer-a", "officer-a")
