"""Python CPU per report of `amina.monitoring.intake.prepare`: the validation every report of a
request goes through before it is queued for writing (no database, no HTTP, one thread).

The reports are what the app sends: a uuid4 id, a fix in Moscow with its accuracy, `recorded_at`
an ISO string with a +03:00 offset within the last hour, source "gps". Each batch size is timed
with and without `raw` (the `orjson.dumps({"reports": items})` body the route parses the items
from, which lets `prepare` scan the body once instead of every string); the figure printed is the
best of several repeats, in µs per report.

    python -m bench.intake.prepare [--sizes 1,100] [--repeats 7]
"""

from __future__ import annotations

import argparse
import random
import timeit
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from amina.config import Settings
from amina.monitoring.intake import prepare
from amina.rules.calendar import MOSCOW


def reports(count: int, now: datetime, rng: random.Random) -> list[dict[str, Any]]:
    """`count` realistic report dicts, as orjson parses them from the app's body."""
    return [
        {
            "id": str(uuid.uuid4()),
            "lat": 55.55 + rng.random() * 0.4,
            "lon": 37.35 + rng.random() * 0.5,
            "accuracy_m": round(5 + rng.random() * 40, 1),
            "recorded_at": (now - timedelta(seconds=rng.uniform(0, 3600)))
            .astimezone(MOSCOW)
            .isoformat(),
            "source": "gps",
            "mock": False,
        }
        for _ in range(count)
    ]


def per_report_us(call: Callable[[], object], reports_per_call: int, repeats: int) -> float:
    """Best of `repeats` runs of about 20 ms each, in µs per report: many short runs, because
    the best one is the run no other process or CPU hiccup got into."""
    timer = timeit.Timer(call)
    number = max(1, timer.autorange()[0] // 10)
    best = min(timer.repeat(repeat=repeats, number=number)) / number
    return best / reports_per_call * 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", default="1,100", help="batch sizes, comma-separated")
    parser.add_argument("--repeats", type=int, default=50)
    options = parser.parse_args(argv)
    settings = Settings()
    now = datetime.now(UTC)
    rng = random.Random(20261120)
    print(f"{'batch':>6} {'raw':>5} {'µs/report':>10}")
    for size in (int(part) for part in options.sizes.split(",")):
        items = reports(size, now, rng)
        body = orjson.dumps({"reports": items})
        assert orjson.loads(body)["reports"] == items
        for raw in (None, body):
            prepared = prepare(items, now=now, settings=settings, raw=raw)
            assert len(prepared.valid) == size, prepared.result.rejected
            us = per_report_us(
                lambda items=items, raw=raw: prepare(items, now=now, settings=settings, raw=raw),
                size,
                options.repeats,
            )
            print(f"{size:>6} {'yes' if raw else 'no':>5} {us:>10.2f}")


if __name__ == "__main__":
    main()
