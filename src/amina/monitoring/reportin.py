"""One validated location report as the intake carries it (`Report`), and the fast way to it.

`LocationIn` (pydantic, `amina.schemas`) is the contract: it says what a report is, and its
errors are the messages clients see. Validating a 100-report batch with it took a quarter of
the server's GIL time (py-spy, docs/performance.md, "Eighth run"). So a request body is first
given to msgspec (`fast_reports`), which validates the same fields at a tenth of the cost; it
may only say yes where `LocationIn` says yes, with the same values, and otherwise steps aside:

- it declines (returns None) whenever anything fails, and `LocationIn` judges every report
  again, so every rejection and every 422 still comes from pydantic, word for word;
- it declines a body it might read differently: non-ASCII text, and seconds with more than six
  decimals (msgspec rounds them to the microsecond, pydantic truncates);
- what msgspec's RFC 3339 parser takes is a subset of what pydantic's takes (no unix numbers,
  no week dates, no comma before the fraction), and each value it takes comes out the same
  (`tests/monitoring/test_reportin.py` checks both, by example and by Hypothesis).

`Report` is a plain msgspec Struct: built without validation (from `LocationIn` on the slow
path), untracked by the garbage collector (`gc=False`: it holds no containers), cheap to make.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

import msgspec

from amina.rules.reports import Fix, as_utc
from amina.schemas import LocationIn


class Report(msgspec.Struct, kw_only=True, forbid_unknown_fields=True, gc=False):
    """`LocationIn`'s fields and constraints, with `recorded_at` in UTC."""

    id: uuid.UUID
    recorded_at: Annotated[datetime, msgspec.Meta(tz=True)]
    lat: Annotated[float, msgspec.Meta(ge=-90, le=90)] | None = None
    lon: Annotated[float, msgspec.Meta(ge=-180, le=180)] | None = None
    accuracy_m: Annotated[float, msgspec.Meta(gt=0, le=1_000_000)] | None = None
    source: Literal["gps", "network", "fused", "manual"] = "fused"
    mock: bool = False

    @property
    def is_heartbeat(self) -> bool:
        return self.lat is None

    def fix(self) -> Fix | None:
        if self.lat is None or self.lon is None:
            return None
        return Fix(self.lat, self.lon, self.recorded_at, self.accuracy_m or 0.0)

    @classmethod
    def of(cls, model: LocationIn) -> Report:
        """From a report pydantic validated (its instant is already in UTC)."""
        return cls(
            id=model.id,
            recorded_at=model.recorded_at,
            lat=model.lat,
            lon=model.lon,
            accuracy_m=model.accuracy_m,
            source=model.source,
            mock=model.mock,
        )


_REPORTS: type[list[Report]] = list[Report]
# Seconds with a seventh decimal, `:mm:ss.fffffff`. No JSON number matches it (`"lat":55.7512345`
# has one colon), and starting at a colon it scans a 100-report body in ~18 us (one starting at
# a digit took 107 us: it is tried at every digit).
_SUB_MICROSECOND = re.compile(rb":\d\d:\d\d\.\d{7}")


def fast_reports(items: list[Any], raw: bytes) -> list[Report] | None:
    """Every item as a `Report`, if msgspec finds them all valid and `LocationIn` would too, with
    the same values; None otherwise (then `LocationIn` judges them). `raw`: the JSON body the
    items were parsed from."""
    if not raw.isascii() or _SUB_MICROSECOND.search(raw) is not None:
        return None
    try:
        reports = msgspec.convert(items, _REPORTS)
    except msgspec.ValidationError:
        return None
    for report in reports:
        # LocationIn's own rule (its model validator): coordinates together, with an accuracy.
        if (report.lat is None) != (report.lon is None) or (
            report.lat is not None and report.accuracy_m is None
        ):
            return None
        instant = report.recorded_at
        if instant.tzinfo is not UTC:
            report.recorded_at = instant = as_utc(instant)
            if instant.tzinfo is not UTC:  # beyond UTC's calendar: pydantic's zone is kept
                return None
    return reports
