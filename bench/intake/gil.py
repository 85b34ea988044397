"""The GIL convoy: what a database round trip costs a thread while another thread is busy.

The group-commit writer (`amina/groupcommit.py`) is a second thread beside the event loop. At
each round trip it releases the GIL and then must take it back; while the loop is running
Python, it gets it back only when the loop is asked to let go, after the switch interval
(`sys.setswitchinterval`, 5 ms by default; `amina serve` sets `AMINA_GIL_SWITCH_INTERVAL_MS`).
This times `SELECT 1` round trips on one thread, first with the other thread idle and then with
it spinning in Python, for each interval given.

    python -m bench.intake.gil [--url postgresql://postgres@127.0.0.1:5432/postgres]
                               [--intervals-ms 5,1,0.5,0.2] [--trips 300]
"""

from __future__ import annotations

import argparse
import sys
import threading
import time

import psycopg


def per_trip_ms(connection: psycopg.Connection, trips: int) -> float:
    started = time.perf_counter()
    for _ in range(trips):
        connection.execute("SELECT 1").fetchall()
    return (time.perf_counter() - started) / trips * 1000


def measure(url: str, interval_ms: float, trips: int) -> tuple[float, float]:
    """(ms per round trip with the other thread idle, with it busy)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval_ms / 1000)
    stop = threading.Event()

    def spin() -> None:
        total = 0
        while not stop.is_set():
            for i in range(1000):
                total += i

    try:
        with psycopg.connect(url, autocommit=True) as connection:
            idle = per_trip_ms(connection, trips)
            spinner = threading.Thread(target=spin, daemon=True)
            spinner.start()
            try:
                busy = per_trip_ms(connection, trips)
            finally:
                stop.set()
                spinner.join()
    finally:
        sys.setswitchinterval(before)
    return idle, busy


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--intervals-ms", default="5,1,0.5,0.2")
    parser.add_argument("--trips", type=int, default=300)
    args = parser.parse_args(argv)
    print("| switch interval | ms per round trip, other thread idle | … other thread busy |")
    print("|---:|---:|---:|")
    for interval in (float(x) for x in args.intervals_ms.split(",")):
        idle, busy = measure(args.url, interval, args.trips)
        print(f"| {interval:g} ms | {idle:.3f} | {busy:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
