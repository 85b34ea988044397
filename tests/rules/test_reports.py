"""When a report counts, and the impossible-speed flag (rules.md §4)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from amina.rules.calendar import MOSCOW
from amina.rules.reports import (
    Fix,
    ReportRejection,
    TimingPolicy,
    TimingWindow,
    as_utc,
    distance_m,
    impossible_speed,
    moves_monitoring,
    speed_horizon,
    timing_rejection,
)

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)


@pytest.mark.parametrize(
    ("recorded_at", "expected"),
    [
        (NOW, None),
        (NOW + timedelta(minutes=5), None),  # clock skew allowed
        (NOW + timedelta(minutes=5, seconds=1), ReportRejection.RECORDED_IN_FUTURE),
        (NOW - timedelta(days=30), None),
        (NOW - timedelta(days=30, seconds=1), ReportRejection.TOO_OLD),
    ],
)
def test_timing(recorded_at: datetime, expected: ReportRejection | None) -> None:
    assert timing_rejection(recorded_at, NOW) is expected


def test_timing_policy_is_a_setting() -> None:
    policy = TimingPolicy(clock_skew=timedelta(0), max_age=timedelta(days=1))
    assert timing_rejection(NOW + timedelta(seconds=1), NOW, policy) is (
        ReportRejection.RECORDED_IN_FUTURE
    )
    assert timing_rejection(NOW - timedelta(days=2), NOW, policy) is ReportRejection.TOO_OLD


def test_the_window_is_worked_out_once_and_judges_as_timing_rejection() -> None:
    policy = TimingPolicy(clock_skew=timedelta(minutes=5), max_age=timedelta(days=30))
    window = TimingWindow.at(NOW, policy)
    assert window == TimingWindow.at(NOW)
    assert window.latest == NOW + policy.clock_skew and window.latest.tzinfo is UTC
    assert window.earliest == NOW - policy.max_age and window.earliest.tzinfo is UTC
    tick = timedelta(microseconds=1)
    for at in (NOW, NOW.astimezone(UTC)):
        edges = [at + policy.clock_skew, at - policy.max_age]
        assert [window.rejection(edge) for edge in edges] == [None, None]
        assert window.rejection(edges[0] + tick) is ReportRejection.RECORDED_IN_FUTURE
        assert window.rejection(edges[1] - tick) is ReportRejection.TOO_OLD
        for edge in (*edges, edges[0] + tick, edges[1] - tick):
            assert window.rejection(edge) is timing_rejection(edge, NOW, policy)


def test_as_utc_keeps_the_instant() -> None:
    utc = as_utc(NOW)
    assert utc == NOW and utc.tzinfo is UTC and utc.hour == 7
    assert as_utc(utc) is utc


def test_as_utc_leaves_what_utc_cannot_hold() -> None:
    naive = NOW.replace(tzinfo=None)
    assert as_utc(naive) is naive
    with pytest.raises(TypeError):  # a naive instant is still a bug, not a time
        timing_rejection(NOW, naive)
    first = datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=3)))
    last = datetime(9999, 12, 31, 23, tzinfo=timezone(timedelta(hours=-5)))
    assert as_utc(first) is first and as_utc(last) is last
    assert timing_rejection(first, NOW) is ReportRejection.TOO_OLD
    assert timing_rejection(last, NOW) is ReportRejection.RECORDED_IN_FUTURE


def test_an_older_report_moves_nothing() -> None:
    assert moves_monitoring(NOW, None)
    assert moves_monitoring(NOW, NOW - timedelta(seconds=1))
    assert not moves_monitoring(NOW, NOW)
    assert not moves_monitoring(NOW - timedelta(hours=1), NOW)


def test_distance() -> None:
    # Kremlin to Sakharovo MMC: about 60 km.
    assert 55_000 < distance_m(55.7520, 37.6175, 55.3500, 36.9000) < 65_000
    assert distance_m(55.0, 37.0, 55.0, 37.0) == 0.0


def test_impossible_speed() -> None:
    start = Fix(55.75, 37.62, NOW, accuracy_m=20)
    # Moscow to Vladivostok in an hour is impossible; in 10 hours by plane it is not.
    assert impossible_speed(start, Fix(43.12, 131.89, NOW + timedelta(hours=1)), 1000)
    assert not impossible_speed(start, Fix(43.12, 131.89, NOW + timedelta(hours=10)), 1000)
    # Jitter within the fixes' accuracy is never a jump, even at the same instant.
    assert not impossible_speed(start, Fix(55.7501, 37.6201, NOW, accuracy_m=50), 1000)
    # A real jump at the same instant is.
    assert impossible_speed(start, Fix(55.85, 37.62, NOW), 1000)


def test_no_fix_older_than_the_speed_horizon_can_make_a_move_impossible() -> None:
    horizon = speed_horizon(1000)
    assert horizon is not None and timedelta(hours=20) < horizon < timedelta(hours=20, minutes=3)
    antipode = Fix(-55.75, 37.62 - 180, NOW - horizon)  # as far from Moscow as can be
    here = Fix(55.75, 37.62, NOW)
    assert not impossible_speed(antipode, here, 1000)
    a_bit_later = Fix(-55.75, 37.62 - 180, NOW - horizon + timedelta(seconds=3))
    assert impossible_speed(a_bit_later, here, 1000)
    assert speed_horizon(0) is None and speed_horizon(-5) is None
