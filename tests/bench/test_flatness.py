"""The flatness benchmark's comparison: each large round against the small rounds beside it."""

import pytest
from bench.intake.flatness import pair_ratios


def test_each_large_round_is_compared_with_the_small_rounds_on_either_side() -> None:
    # rounds ran small, large, small, large, small
    assert pair_ratios([100.0, 120.0, 80.0], [99.0, 90.0]) == pytest.approx([0.9, 0.9])


def test_a_drift_of_the_machine_all_but_cancels_out() -> None:
    # the machine slows down 10 % a round; the large population is 5 % slower than the small
    small = [1000.0 * 0.9**k for k in range(0, 7, 2)]
    large = [0.95 * 1000.0 * 0.9**k for k in range(1, 7, 2)]
    # (against the first small round alone, the drift would read as 15-44 % slower)
    assert pair_ratios(small, large) == pytest.approx([0.95] * 3, abs=0.006)


def test_the_last_large_round_may_have_a_small_round_before_it_only() -> None:
    assert pair_ratios([100.0], [95.0]) == pytest.approx([0.95])
