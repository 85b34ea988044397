"""Which declared outages are accepted as they are, which need a second supervisor, and which
are refused outright (issue 9: one supervisor must not be able to suspend the regime).

Outages are only ever in people's favour (a lost day never counts against anyone), which is
exactly why an unbounded one is dangerous: it suspends monitoring for everybody.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum


class OutageVerdict(StrEnum):
    ACCEPTED = "accepted"
    NEEDS_APPROVAL = "needs_approval"


class OutageRefused(ValueError):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class OutageBounds:
    max_days: int = 7  # longer ones need a second supervisor
    max_ahead: timedelta = timedelta(days=1)  # planned maintenance, at most a day ahead
    max_before_sweep: timedelta = timedelta(days=30)  # how far behind the last sweep


def check_declared(
    starts_at: datetime,
    ends_at: datetime,
    *,
    now: datetime,
    last_sweep_at: datetime | None,
    bounds: OutageBounds,
) -> OutageVerdict:
    """Refuse an outage outside its bounds; say whether it needs a second supervisor."""
    if ends_at <= starts_at:
        raise OutageRefused("invalid_outage", "an outage must end after it starts")
    if ends_at > now + bounds.max_ahead:
        raise OutageRefused(
            "outage_too_far_ahead",
            f"an outage can end at most {bounds.max_ahead.days} day(s) from now",
        )
    earliest = (last_sweep_at or now) - bounds.max_before_sweep
    if starts_at < earliest:
        raise OutageRefused(
            "outage_too_old",
            f"an outage can start at most {bounds.max_before_sweep.days} days before the "
            "last monitoring sweep",
        )
    if ends_at - starts_at > timedelta(days=bounds.max_days):
        return OutageVerdict.NEEDS_APPROVAL
    return OutageVerdict.ACCEPTED
