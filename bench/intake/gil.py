"""The GIL convoy: what a call that releases the GIL costs a thread while another is busy.

The group-commit writer (`amina/groupcommit.py`) is a second thread beside the event loop. A
thread that releases the GIL (a database round trip, a hash or a signature check in C) must
take it back before it goes on; while the other thread is running Python, it gets it back only
when that thread is asked to let go, after the switch interval (`sys.setswitchinterval`, 5 ms
by default; `amina serve` sets `AMINA_GIL_SWITCH_INTERVAL_MS`). This times each call on one
thread, first with the other thread idle and then with it spinning in Python:

- `SELECT 1` round trips, for each interval given (the writer's side);
- at the server's interval, the event loop's own calls per signed report: the token's HMAC as
  the one-shot `hmac.digest` (it releases the GIL) and as `hmac.new(...).digest()` (it does
  not, for short messages), and the Ed25519 signature check (it releases the GIL).

    python -m bench.intake.gil [--url postgresql://postgres@127.0.0.1:5432/postgres]
                               [--intervals-ms 5,1,0.5,0.2] [--trips 300] [--calls 2000]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import sys
import threading
import time
from collections.abc import Callable

import psycopg
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from amina.config import Settings


def per_call_ms(call: Callable[[], object], count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        call()
    return (time.perf_counter() - started) / count * 1000


def idle_and_busy(
    call: Callable[[], object], interval_ms: float, count: int
) -> tuple[float, float]:
    """(ms per call with the other thread idle, with it busy in Python)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(interval_ms / 1000)
    stop = threading.Event()

    def spin() -> None:
        total = 0
        while not stop.is_set():
            for i in range(1000):
                total += i

    try:
        idle = per_call_ms(call, count)
        spinner = threading.Thread(target=spin, daemon=True)
        spinner.start()
        try:
            busy = per_call_ms(call, count)
        finally:
            stop.set()
            spinner.join()
    finally:
        sys.setswitchinterval(before)
    return idle, busy


def loop_calls() -> dict[str, Callable[[], object]]:
    """The event loop's calls per signed report, on inputs of a report's size."""
    key, token = b"k" * 32, b"h" * 36 + b"." + b"p" * 220
    device = Ed25519PrivateKey.generate()
    body = b'{"reports":[' + b"x" * 180 + b"]}"
    signature, public = device.sign(body), device.public_key()
    return {
        "token HMAC, `hmac.digest` (one-shot)": lambda: hmac.digest(key, token, "sha256"),
        "token HMAC, `hmac.new(...).digest()` (amina)": lambda: hmac.new(
            key, token, hashlib.sha256
        ).digest(),
        "Ed25519 signature check": lambda: public.verify(signature, body),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--intervals-ms", default="5,1,0.5,0.2")
    parser.add_argument("--trips", type=int, default=300)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args(argv)
    print("| switch interval | ms per round trip, other thread idle | … other thread busy |")
    print("|---:|---:|---:|")
    with psycopg.connect(args.url, autocommit=True) as connection:
        for interval in (float(x) for x in args.intervals_ms.split(",")):
            idle, busy = idle_and_busy(
                lambda: connection.execute("SELECT 1").fetchall(), interval, args.trips
            )
            print(f"| {interval:g} ms | {idle:.3f} | {busy:.3f} |")
    server_ms = float(Settings.model_fields["gil_switch_interval_ms"].default)
    print()
    print(f"At amina serve's switch interval ({server_ms:g} ms):")
    print()
    print("| call | µs, other thread idle | µs, other thread busy |")
    print("|---|---:|---:|")
    for name, call in loop_calls().items():
        idle, busy = idle_and_busy(call, server_ms, args.calls)
        print(f"| {name} | {idle * 1000:.1f} | {busy * 1000:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
