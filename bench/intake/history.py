"""Stored history for the flatness runs: N old reports in `location_reports` (PostgreSQL).

The reports are spread evenly over the seeded devices and over the `days` Moscow days before
yesterday, each day in its own partition (as the worker would have made them), and generated
inside PostgreSQL (`generate_series`), so 20 M rows need no client-side work. They are older
than every report the benchmark sends and than each person's seeded last monitoring instant,
so they change no decision: they are what a city's database holds after a month, which the
intake's statements (the facts read, the dedupe insert, the previous fix) must not feel.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from rich.console import Console
from sqlalchemy import text

from amina.db import Database
from amina.monitoring.partitions import create_day_partition, day_partitions
from amina.rules.calendar import moscow_date, moscow_instant


def store_history(url: str, count: int, *, now: datetime, days: int = 30) -> float:
    """Insert `count` old reports; returns the seconds it took."""
    started = time.perf_counter()
    console = Console(stderr=True)
    db = Database.connect(url)
    try:
        today = moscow_date(now)
        history = [today - timedelta(days=back) for back in range(days + 1, 1, -1)]
        with db.unit_of_work() as session:
            devices = int(session.scalar(text("SELECT count(*) FROM devices")) or 0)
            existing = day_partitions(session)
        for day in history:
            if day not in existing:
                with db.unit_of_work() as session:
                    create_day_partition(session, day)
        per_device_day = max(1, -(-count // (days * max(devices, 1))))  # rounded up
        spacing_s = 86_000 / per_device_day
        for index, day in enumerate(history):
            start = moscow_instant(day, datetime.min.time()).astimezone(UTC)
            with db.engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO location_reports (device_id, client_id, person_id,"
                        " recorded_at, received_at, lat, lon, accuracy_m, source, mock,"
                        " heartbeat, placement, impossible_speed, counted)"
                        " SELECT d.id, gen_random_uuid(), d.person_id,"
                        " CAST(:start AS timestamptz) + make_interval(secs => g * :spacing),"
                        " CAST(:start AS timestamptz) + make_interval(secs => g * :spacing + 2),"
                        " 55.75 + (g % 100) * 0.0001, 37.62, 15, 'gps', false, false,"
                        " 'inside', false, true"
                        " FROM devices d CROSS JOIN generate_series(0, :n - 1) AS g"
                    ),
                    {"start": start, "spacing": spacing_s, "n": per_device_day},
                )
            console.print(
                f"history: day {index + 1}/{len(history)} ({day}),"
                f" {per_device_day * devices * (index + 1):,} reports"
            )
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM (ANALYZE) location_reports"))
    finally:
        db.dispose()
    return time.perf_counter() - started
