"""Where an intake request's time goes, in-process: SQL statements per request and a cProfile.

The app is built exactly as `amina serve` builds it (`create_app(Settings())`) on an already
seeded database, and called sequentially as an ASGI app (no sockets, no uvicorn) with the same
pre-signed bodies as the load generator. FastAPI's thread pool is replaced by an inline call so
that the whole request runs on one thread that cProfile can see. The statement counts are exact;
the cProfile numbers are inflated by the profiler, but the proportions hold.

    python -m bench.intake.profile --url sqlite:////tmp/amina.sqlite3 --devices 1000 --batch 1
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import dataclasses
import io
import os
import pstats
import random
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine, event
from sqlalchemy.orm import Session

from .fleet import BENCH_SECRET_KEY, Fleet
from .loadgen import HEALTH_PATH, LOCATIONS_PATH, Timeline, prepare_health, prepare_reports

_TABLE = re.compile(r"\b(?:FROM|INTO|UPDATE)\s+\"?(\w+)", re.IGNORECASE)
_PLAIN = {"BEGIN", "COMMIT", "ROLLBACK", "PRAGMA", "SAVEPOINT", "RELEASE"}


def _statement_kind(statement: str) -> str:
    """A short label: the verb and the first table (`SELECT monitoring_states`)."""
    flat = " ".join(statement.split())
    verb = flat.split(" ", 1)[0].upper() if flat else "?"
    if verb in _PLAIN:
        return flat[:40]
    table = _TABLE.search(flat)
    return f"{verb} {table.group(1)}" if table else verb


def _split(raw: bytes) -> tuple[list[tuple[bytes, bytes]], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    headers = []
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        headers.append((name.strip().lower(), value.strip()))
    return headers, body


async def _inline(func: Callable[..., Any], *args: Any, **_options: Any) -> Any:
    """Stands in for anyio.to_thread.run_sync: the whole request runs on the profiled thread."""
    return func(*args)


async def _call(app: Any, method: str, path: str, raw: bytes) -> int:
    """One request straight into the ASGI app (no sockets, no HTTP parsing)."""
    headers, body = _split(raw)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    status = 0

    async def receive() -> dict[str, Any]:
        return messages.pop() if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    await app(scope, receive, send)
    return status


@dataclass
class _Timer:
    """Wall time spent inside the database driver: statements and commits."""

    statements: Counter[str] = field(default_factory=Counter)
    connections: int = 0
    execute_s: float = 0.0
    commit_s: float = 0.0
    _started: float = 0.0
    _commit_started: float = 0.0

    def reset(self) -> None:
        self.statements.clear()
        self.connections, self.execute_s, self.commit_s = 0, 0.0, 0.0

    def install(self, engine: Engine) -> None:
        @event.listens_for(engine, "before_cursor_execute")
        def _before(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
            self.statements[_statement_kind(statement)] += 1
            self._started = time.perf_counter()

        @event.listens_for(engine, "after_cursor_execute")
        def _after(*_a: Any) -> None:
            self.execute_s += time.perf_counter() - self._started

        @event.listens_for(engine, "connect")
        def _connect(*_a: Any) -> None:
            self.connections += 1

        @event.listens_for(engine, "commit")
        def _commit(*_a: Any) -> None:
            self._commit_started = time.perf_counter()

        @event.listens_for(Session, "after_commit")
        def _committed(*_a: Any) -> None:
            if self._commit_started:
                self.commit_s += time.perf_counter() - self._commit_started
                self._commit_started = 0.0


# Functions whose own time is waiting for (or work done by) the database, not Python.
_DATABASE_CALLS = (
    "'commit' of 'sqlite3.Connection'",
    "'close' of 'sqlite3.Connection'",
    "'execute' of 'sqlite3.Cursor'",
    "_sqlite3.connect",
    "psycopg/connection.py:479(wait)",
    "_send_query_prepared",
    "_execute_send",
    "_exec_command",
)


def _owner(filename: str, function: str) -> str:
    if any(marker in f"{filename}:{function}" for marker in _DATABASE_CALLS):
        return "database driver: waiting on / work in the database"
    if "site-packages/" in filename:
        return filename.split("site-packages/", 1)[1].split("/", 1)[0].split(".", 1)[0]
    if "/src/amina/" in filename:
        return "amina"
    if "/bench/" in filename:
        return "bench harness"
    if filename == "~":
        return "builtins (C calls: " + function.split(" of ")[-1].strip("'>") + ")"
    return "python stdlib"


def _by_package(profiler: cProfile.Profile) -> list[str]:
    stats = pstats.Stats(profiler)
    owners: Counter[str] = Counter()
    raw: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in raw.items():
        owners[_owner(filename, function)] += tottime
    total = sum(owners.values()) or 1.0
    return [f"  {share / total:6.1%}  {owner}" for owner, share in owners.most_common(12)]


def _run(url: str, devices: int, batch: int, requests: int, top: int) -> str:
    os.environ.update(
        AMINA_DATABASE_URL=url,
        AMINA_SECRET_KEY=BENCH_SECRET_KEY,
        AMINA_LOG_LEVEL="WARNING",
    )
    os.environ.pop("AMINA_NOW", None)
    import anyio.to_thread

    from amina.config import Settings
    from amina.web.app import create_app

    anyio.to_thread.run_sync = _inline  # type: ignore[assignment]
    app = create_app(Settings())
    engine: Engine = app.state.context.db.engine
    timer = _Timer()
    timer.install(engine)

    fleet = Fleet(devices)
    timeline = Timeline(datetime.now(UTC))
    warm = 30
    prepared = prepare_reports(
        fleet,
        timeline,
        host="testserver",
        requests=2 * requests + warm,
        batch=batch,
        rng=random.Random(7),
    )
    health = prepare_health("testserver").wire[0]
    loop = asyncio.new_event_loop()
    statuses: Counter[int] = Counter()

    def post(raw: bytes) -> None:
        statuses[loop.run_until_complete(_call(app, "POST", LOCATIONS_PATH, raw))] += 1

    for raw in prepared.wire[:warm]:  # caches, pools, first-request imports
        post(raw)
    # 1. Plain: CPU and wall per request, and the driver's share of the wall time.
    timer.reset()
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for raw in prepared.wire[warm : warm + requests]:
        post(raw)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    plain = dataclasses.replace(timer, statements=Counter(timer.statements))
    # 2. The trivial endpoint, for comparison.
    timer.reset()
    cpu0 = time.process_time()
    for _ in range(requests):
        loop.run_until_complete(_call(app, "GET", HEALTH_PATH, health))
    health_cpu = time.process_time() - cpu0
    health_statements = sum(timer.statements.values())
    # 3. Profiled.
    profiler = cProfile.Profile()
    profiler.enable()
    for raw in prepared.wire[warm + requests :]:
        post(raw)
    profiler.disable()
    loop.close()
    app.state.context.close()

    per = 1000 / requests
    lines = [
        f"POST {LOCATIONS_PATH}, {batch} report(s) per request, {engine.dialect.name}, "
        f"{devices:,} devices, {requests} sequential requests in-process (no HTTP server); "
        f"statuses of all {sum(statuses.values())} POSTs (warm-up, timed, profiled): "
        f"{dict(statuses)}",
        f"  wall {wall * per:.2f} ms/request, CPU {cpu * per:.2f} ms/request "
        f"(CPU includes the database's own work on SQLite, not on PostgreSQL)",
        f"  inside the driver: statements {plain.execute_s * per:.2f} ms, "
        f"commit {plain.commit_s * per:.2f} ms; new DB connections per request: "
        f"{plain.connections / requests:.2f}",
        f"GET {HEALTH_PATH}: CPU {health_cpu * per:.2f} ms/request, "
        f"{health_statements / requests:.2f} statements/request",
        "SQL statements per intake request:",
    ]
    for kind, count in sorted(plain.statements.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"  {count / requests:6.2f}  {kind}")
    lines.append(f"  {sum(plain.statements.values()) / requests:6.2f}  total (COMMIT not counted)")
    lines.append("Self time under cProfile, by where the code lives (share of the profiled total):")
    lines += _by_package(profiler)
    buffer = io.StringIO()
    stats = pstats.Stats(profiler, stream=buffer)
    print("Amina's own functions, by cumulative time:", file=buffer)
    stats.sort_stats("cumulative").print_stats("/src/amina/", top)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    lines.append(buffer.getvalue())
    return "\n".join(lines)


def run(url: str, devices: int, batch: int, requests: int, top: int) -> str:
    """Profile on the seeded database at `url`; the app's data directory is a scratch one unless
    AMINA_DATA_DIR is set."""
    if os.environ.get("AMINA_DATA_DIR"):
        return _run(url, devices, batch, requests, top)
    with tempfile.TemporaryDirectory(prefix="amina-profile-") as scratch:
        os.environ["AMINA_DATA_DIR"] = scratch
        try:
            return _run(url, devices, batch, requests, top)
        finally:
            del os.environ["AMINA_DATA_DIR"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.intake.profile",
        description="Profile report intake in-process on a database seeded by bench.intake.seed.",
    )
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a seeded database")
    parser.add_argument("--devices", type=int, required=True, help="devices seeded there")
    parser.add_argument("--batch", type=int, default=1, help="reports per request")
    parser.add_argument("--requests", type=int, default=300, help="profiled requests")
    parser.add_argument("--top", type=int, default=45, help="profile lines to print")
    args = parser.parse_args(argv)
    print(run(args.url, args.devices, args.batch, args.requests, args.top))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
