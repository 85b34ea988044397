"""When a location report counts (rules.md §4), and when its movement is implausible."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

EARTH_RADIUS_M = 6_371_008.8


class ReportRejection(StrEnum):
    """Why a single report is refused; stable codes shown to the client."""

    RECORDED_IN_FUTURE = "recorded_in_future"
    TOO_OLD = "too_old"


@dataclass(frozen=True)
class TimingPolicy:
    clock_skew: timedelta = timedelta(minutes=5)
    max_age: timedelta = timedelta(days=30)


def as_utc(value: datetime) -> datetime:
    """The same instant in UTC. Comparing or subtracting aware datetimes is fast only when both
    hold the same tzinfo object; otherwise every operation asks each side for its utcoffset.
    Left as it is when UTC cannot express it: a naive value (comparing it must keep failing) or an
    instant within a day of the calendar's ends (year 1 at +03:00), which no window accepts."""
    if value.tzinfo is None:
        return value
    try:
        return value.astimezone(UTC)
    except OverflowError:
        return value


@dataclass(frozen=True)
class TimingWindow:
    """The `recorded_at` a report may carry when it arrives at one instant: worked out once for
    a whole batch, not once per report. The bounds are in UTC, as validated reports are."""

    earliest: datetime
    latest: datetime

    @classmethod
    def at(cls, received_at: datetime, policy: TimingPolicy | None = None) -> TimingWindow:
        policy = policy or TimingPolicy()
        return cls(
            earliest=as_utc(received_at - policy.max_age),
            latest=as_utc(received_at + policy.clock_skew),
        )

    def rejection(self, recorded_at: datetime) -> ReportRejection | None:
        """Why `recorded_at` is unacceptable, or None if it is fine (both bounds included)."""
        if recorded_at > self.latest:
            return ReportRejection.RECORDED_IN_FUTURE
        if recorded_at < self.earliest:
            return ReportRejection.TOO_OLD
        return None


def timing_rejection(
    recorded_at: datetime, received_at: datetime, policy: TimingPolicy | None = None
) -> ReportRejection | None:
    """Why a report's `recorded_at` is unacceptable at `received_at`, or None if it is fine."""
    return TimingWindow.at(received_at, policy).rejection(recorded_at)


def moves_monitoring(recorded_at: datetime, last_monitoring_at: datetime | None) -> bool:
    """A report older than the last monitoring instant is stored but moves nothing."""
    return last_monitoring_at is None or recorded_at > last_monitoring_at


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlambda = math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Fix:
    lat: float
    lon: float
    recorded_at: datetime
    accuracy_m: float = 0.0


def speed_horizon(max_speed_kmh: float) -> timedelta | None:
    """How far back a fix can still make the next one impossible: no two points on Earth are
    farther apart than half its circumference, so an older fix never needs more than
    `max_speed_kmh`. None: no bound (a limit of zero or less flags every move)."""
    if max_speed_kmh <= 0:
        return None
    # Rounded up, plus a second: a bound a little too far back only reads a fix more.
    return timedelta(seconds=math.ceil(math.pi * EARTH_RADIUS_M / (max_speed_kmh / 3.6)) + 1)


def impossible_speed(previous: Fix, current: Fix, max_speed_kmh: float) -> bool:
    """Whether moving between two fixes needs more than `max_speed_kmh`.

    The fixes' accuracy is given the benefit of the doubt: the distance shrinks by both radii.
    Such a report is flagged for officers, never rejected: the flag is evidence, not a verdict.
    """
    seconds = abs((current.recorded_at - previous.recorded_at).total_seconds())
    metres = distance_m(previous.lat, previous.lon, current.lat, current.lon)
    metres = max(0.0, metres - previous.accuracy_m - current.accuracy_m)
    if metres == 0.0:
        return False
    if seconds == 0.0:
        return True
    return metres / seconds * 3.6 > max_speed_kmh
