"""Pre-signed request bodies and a small keep-alive HTTP/1.1 load generator.

Everything expensive happens before the clock starts: report ids, timestamps, JSON encoding, the
Ed25519 signature of each body, the access token, and the HTTP request bytes themselves. During
the timed run each of `concurrency` coroutines owns one keep-alive connection and only writes
prepared bytes, reads the answer (status line, Content-Length, body) and notes the latency. The
answers are kept and checked afterwards, so checking costs nothing during the run.

It is a closed loop: a new request leaves only when an answer came back, so latencies are
service times under that concurrency, not the latencies of an open arrival process.
"""

from __future__ import annotations

import asyncio
import gc
import json
import math
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from amina.auth.devices import b64url_encode

from .fleet import Fleet

LOCATIONS_PATH = "/api/v1/me/locations"
HEALTH_PATH = "/api/v1/health"
CONNECT_SPACING_S = 0.02
JITTER_DEG = 0.0002  # ~20 m: a person at home, so no report looks like an impossible jump


@dataclass
class Timeline:
    """Strictly increasing `recorded_at` instants for everything sent to one database.

    Each report gets the next tick, so a person's newest report is always later than the one
    before and moves the monitoring state (the realistic hot path). The cursor trails the wall
    clock by `lag` (well inside the 5-minute skew and the 30-day age the service accepts) and
    never goes back.
    """

    cursor: datetime
    tick: timedelta = timedelta(microseconds=100)
    lag: timedelta = timedelta(minutes=20)

    def catch_up(self, now: datetime) -> None:
        self.cursor = max(self.cursor, now - self.lag)

    def take(self, count: int) -> list[datetime]:
        stamps = [self.cursor + self.tick * (n + 1) for n in range(count)]
        self.cursor = stamps[-1]
        return stamps


@dataclass
class Prepared:
    """Ready-to-send requests and, per request, the report ids it carries."""

    wire: list[bytes]
    ids: list[tuple[str, ...]]
    batch: int  # reports per request (0 for the ceiling endpoint)
    seconds: float = 0.0  # how long preparing took

    def __len__(self) -> int:
        return len(self.wire)


def _request(method: str, path: str, host: str, headers: Sequence[str], body: bytes) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", *headers]
    if body:
        lines += ["Content-Type: application/json", f"Content-Length: {len(body)}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def prepare_health(host: str) -> Prepared:
    return Prepared([_request("GET", HEALTH_PATH, host, (), b"")], [()], 0)


def prepare_reports(
    fleet: Fleet,
    timeline: Timeline,
    *,
    host: str,
    requests: int,
    batch: int,
    rng: random.Random,
) -> Prepared:
    """`requests` signed report batches of `batch` fresh reports, each from a random device."""
    started = time.perf_counter()
    now = datetime.now(UTC)
    timeline.catch_up(now)
    tokens: dict[int, str] = {}
    wire: list[bytes] = []
    ids: list[tuple[str, ...]] = []
    for _ in range(requests):
        person = rng.randrange(fleet.count)
        token = tokens.get(person)
        if token is None:
            token = tokens[person] = fleet.access_token(person, now)
        lat, lon = fleet.home(person)
        reports = [
            {
                "id": str(uuid.uuid4()),
                "lat": round(lat + rng.uniform(-JITTER_DEG, JITTER_DEG), 6),
                "lon": round(lon + rng.uniform(-JITTER_DEG, JITTER_DEG), 6),
                "accuracy_m": round(rng.uniform(12.0, 30.0), 1),
                "recorded_at": stamp.isoformat(timespec="microseconds"),
                "source": "gps",
                "mock": False,
            }
            for stamp in timeline.take(batch)
        ]
        body = json.dumps({"reports": reports}, separators=(",", ":")).encode()
        signature = b64url_encode(fleet.private_key(person).sign(body))
        headers = (f"Authorization: Bearer {token}", f"Amina-Signature: {signature}")
        wire.append(_request("POST", LOCATIONS_PATH, host, headers, body))
        ids.append(tuple(str(report["id"]) for report in reports))
    return Prepared(wire, ids, batch, time.perf_counter() - started)


@dataclass
class Outcome:
    """What came back: per completed request, its index, status, latency and body."""

    elapsed: float
    indices: list[int] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    latencies_ns: list[int] = field(default_factory=list)
    bodies: list[bytes] = field(default_factory=list)
    errors: Counter[str] = field(default_factory=Counter)
    exhausted: bool = False

    @property
    def completed(self) -> int:
        return len(self.statuses)


class _Feed:
    """Hands out request indices until the deadline (or the prepared requests) run out."""

    def __init__(self, size: int, deadline: float, cycle: bool) -> None:
        self.size, self.deadline, self.cycle = size, deadline, cycle
        self.next = 0
        self.exhausted = False

    def take(self) -> int | None:
        if time.perf_counter() >= self.deadline:
            return None
        if self.next >= self.size and not self.cycle:
            self.exhausted = True
            return None
        index = self.next
        self.next += 1
        return index % self.size


def _content_length(head: bytes) -> int:
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return int(value)
    raise ValueError("no Content-Length in the answer")


async def _client(
    host: str,
    port: int,
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter],
    wire: Sequence[bytes],
    feed: _Feed,
    out: Outcome,
) -> None:
    reader: asyncio.StreamReader | None
    writer: asyncio.StreamWriter | None
    reader, writer = connection
    try:
        while (index := feed.take()) is not None:
            if writer is None or reader is None:
                reader, writer = await asyncio.open_connection(host, port)
            started = time.perf_counter_ns()
            try:
                writer.write(wire[index])
                head = await reader.readuntil(b"\r\n\r\n")
                body = await reader.readexactly(_content_length(head))
            except (OSError, asyncio.IncompleteReadError, ValueError) as error:
                out.errors[type(error).__name__] += 1
                writer.close()
                reader = writer = None
                continue
            out.latencies_ns.append(time.perf_counter_ns() - started)
            out.indices.append(index)
            out.statuses.append(int(head[9:12]))
            out.bodies.append(body)
    finally:
        if writer is not None:
            writer.close()


async def _drive(
    host: str, port: int, prepared: Prepared, concurrency: int, duration: float, cycle: bool
) -> Outcome:
    # Connect first, a few milliseconds apart, and only then start the clock. All at once, one
    # `--workers` process would accept nearly every connection (an event loop accepts whatever
    # is pending in one go), and keep-alive connections stay where they landed.
    connections = []
    for _ in range(concurrency):
        connections.append(await asyncio.open_connection(host, port))
        await asyncio.sleep(CONNECT_SPACING_S)
    started = time.perf_counter()
    feed = _Feed(len(prepared.wire), started + duration, cycle)
    out = Outcome(elapsed=0.0)
    await asyncio.gather(*(_client(host, port, c, prepared.wire, feed, out) for c in connections))
    out.elapsed = time.perf_counter() - started
    out.exhausted = feed.exhausted
    return out


def drive(
    host: str,
    port: int,
    prepared: Prepared,
    *,
    concurrency: int,
    duration: float,
    cycle: bool = False,
) -> Outcome:
    """Send `prepared` requests with `concurrency` in flight for `duration` seconds (or until
    they run out, unless `cycle`). The garbage collector is paused so that it adds no stalls."""
    try:
        import uvloop

        loop_factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    except ImportError:  # pragma: no cover - uvloop ships with uvicorn[standard]
        loop_factory = asyncio.new_event_loop
    gc.collect()
    gc.disable()
    try:
        with asyncio.Runner(loop_factory=loop_factory) as runner:
            return runner.run(_drive(host, port, prepared, concurrency, duration, cycle))
    finally:
        gc.enable()


@dataclass
class Check:
    """The answers checked against what was sent."""

    ok: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    sent_reports: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    mismatched: int = 0  # 200s whose `accepted` is not exactly the ids sent
    samples: list[str] = field(default_factory=list)

    @property
    def failures(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200) + self.mismatched


def check(prepared: Prepared, outcome: Outcome, *, keep_samples: int = 3) -> Check:
    result = Check()
    for index, status, body in zip(outcome.indices, outcome.statuses, outcome.bodies, strict=True):
        result.statuses[status] += 1
        sent = prepared.ids[index]
        result.sent_reports += len(sent)
        if status != 200:
            if len(result.samples) < keep_samples:
                result.samples.append(f"{status}: {body[:300].decode(errors='replace')}")
            continue
        answer = json.loads(body)
        if prepared.batch == 0:
            good = answer.get("status") == "ok"
        else:
            accepted = answer["accepted"]
            result.accepted += len(accepted)
            result.duplicates += len(answer["duplicates"])
            result.rejected += len(answer["rejected"])
            good = sorted(accepted) == sorted(sent)
        if good:
            result.ok += 1
        else:
            result.mismatched += 1
            if len(result.samples) < keep_samples:
                result.samples.append(f"200 but unexpected: {body[:300].decode(errors='replace')}")
    return result


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float


def latency(outcome: Outcome) -> Latency:
    """Nearest-rank percentiles of the completed requests' latencies."""
    ordered = sorted(outcome.latencies_ns)
    if not ordered:
        return Latency(0.0, 0.0, 0.0, 0.0, 0.0)

    def rank(q: float) -> float:
        position = min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))
        return ordered[position] / 1e6

    return Latency(
        p50_ms=rank(0.50),
        p90_ms=rank(0.90),
        p99_ms=rank(0.99),
        max_ms=ordered[-1] / 1e6,
        mean_ms=sum(ordered) / len(ordered) / 1e6,
    )
