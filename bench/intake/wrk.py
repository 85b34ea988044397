"""`python -m bench.intake.wrk`: the intake benchmark of issue 8, with wrk as the one load
generator and a trivial async FastAPI POST as the ceiling, interleaved in the same run.

For each database and population: seed N registered devices (`bench.intake.seed`), give the
first ones OwnTracks credentials, start `amina serve` (1 or 2 processes) and the ceiling app
under the same uvicorn settings, then for each kind (single report, 100-report batch,
OwnTracks) and each concurrency level run wrk rounds ceiling, intake, ceiling, intake.
Every request is pre-generated and signed, with report ids of its own (`wrk.lua` cycles through
them). Server CPU per request comes from /proc (the server's process tree, plus PostgreSQL's
backends separately). Results: bench/results/wrk-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import bindparam, create_engine, text, update

from amina.auth.models import Device
from amina.db import table_of
from amina.keys import Keys

from . import cpuquota
from .fleet import BENCH_SECRET_KEY, Fleet
from .history import store_history
from .seed import seed
from .server import (
    BIN,
    Server,
    cpu_split,
    create_postgres,
    descendants,
    drop_postgres,
    free_port,
    machine_busy,
    machine_steal,
    migrate,
    server_env,
    server_processes,
    snapshot,
)

HERE = Path(__file__).parent
LUA = HERE / "wrk.lua"
KINDS = ("single", "batch100", "owntracks")
OWNTRACKS_DEVICES = 1_000


@dataclass
class Round:
    target: str
    kind: str
    concurrency: int
    requests_s: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    errors: int
    cpu_ms_per_request: float | None
    postgres_ms_per_request: float | None
    # Where the machine's cores went in the round: busy in all (of 2.0 here), stolen by the
    # hypervisor, wrk's own, and each server process's (largest first).
    machine_cores: float = 0.0
    steal_cores: float = 0.0
    wrk_cores: float = 0.0
    server_process_cores: tuple[float, ...] = ()
    # Requests sent past the end of the round's file (so resends of its first ones), and
    # reports the round stored (None: not counted).
    resent: int = 0
    stored: int | None = None
    requests: int = 0


def _ms(value: str) -> float:
    found = re.fullmatch(r"([\d.]+)(us|ms|s|m)", value)
    if found is None:  # no answer in the round (e.g. "-nan")
        return 0.0
    number, unit = found.groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]


def run_wrk(url: str, requests_file: Path, concurrency: int, duration: float) -> dict[str, Any]:
    threads = 1 if concurrency < 256 else 2
    command = [
        "wrk",
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{int(duration)}s",
        "--timeout",
        "30s",
        "--latency",
        "-s",
        str(LUA),
        url,
    ]
    env = {**os.environ, "REQUESTS": str(requests_file), "THREADS": str(threads)}
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    # The latency distribution's own lines (a "+/- Stdev" column ending in 50% or 99%, as
    # "62.50%", must not be read as a percentile).
    p50 = re.search(r"^\s+50%\s+(\S+)", out, re.MULTILINE)
    p99 = re.search(r"^\s+99%\s+(\S+)", out, re.MULTILINE)
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests_s": rate,
        "p50_ms": _ms(p50.group(1)) if p50 else 0.0,
        "p99_ms": _ms(p99.group(1)) if p99 else 0.0,
        "non_2xx": int(non.group(1)) if non else 0,
        "errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "total": int(re.search(r"(\d+) requests in", out).group(1)),  # type: ignore[union-attr]
        "raw": out,
    }


def count_reports(url: str, since: datetime | None = None) -> int:
    """Stored reports in all, or those received since `since` (by the received_at index)."""
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            if since is None:
                found = connection.execute(text("SELECT count(*) FROM location_reports"))
            else:
                found = connection.execute(
                    text("SELECT count(*) FROM location_reports WHERE received_at >= :since"),
                    {"since": since},
                )
            return int(found.scalar() or 0)
    finally:
        engine.dispose()


@dataclass
class TstClock:
    """OwnTracks report ids derive from (device, tst): each second is handed out once per
    run, so no round resends another round's reports. It starts 50 minutes back (newer than
    the seeded last reports) and never passes the present."""

    next: int

    def take(self, seconds: int) -> int:
        first, self.next = self.next, self.next + seconds
        if self.next > time.time():
            raise RuntimeError("OwnTracks timestamps would pass the present: fewer requests")
        return first


def give_owntracks(url: str, fleet: Fleet, count: int) -> None:
    """OwnTracks credentials for the first `count` devices: username ot-bench-i, password pw-i."""
    keys = Keys(BENCH_SECRET_KEY.encode())
    engine = create_engine(url)
    devices = table_of(Device)
    rows = [
        {
            "b_id": fleet.device_id(i),
            "b_user": f"ot-bench-{i}",
            "b_hash": keys.mac(keys.device_secrets, f"pw-{i}"),
        }
        for i in range(min(count, fleet.count))
    ]
    with engine.begin() as connection:
        connection.execute(
            update(devices)
            .where(devices.c.id == bindparam("b_id"))
            .values(
                owntracks_username=bindparam("b_user"),
                owntracks_secret_hash=bindparam("b_hash"),
            ),
            rows,
        )
    engine.dispose()


def write_requests(
    path: Path, population: Population, kind: str, count: int, now: datetime
) -> Path:
    """`count` requests, each with report ids no other request of the run has: a round that
    sends more than `count` resends (the harness counts those, `Round.resent`)."""
    fleet = population.fleet
    tokens: dict[tuple[int, int], str] = {}
    owntracks = min(OWNTRACKS_DEVICES, fleet.count)
    first_tst = population.tst.take(-(-count // owntracks)) if kind == "owntracks" else 0
    with path.open("w") as out:
        for j in range(count):
            if kind == "owntracks":
                i = j % owntracks
                lat, lon = fleet.home(i)
                # Within the last hour and newer than the seeded last report (so each one
                # moves the monitoring state, as a phone's do), with a second of its own for
                # each (device, request) of the run: OwnTracks ids derive from (device, tst).
                tst = first_tst + j // owntracks
                body = json.dumps(
                    {"_type": "location", "lat": lat, "lon": lon, "acc": 12, "tst": tst},
                    separators=(",", ":"),
                ).encode()
                basic = base64.b64encode(f"ot-bench-{i}:pw-{i}".encode()).decode()
                headers = [f"Authorization: Basic {basic}", "Content-Type: application/json"]
                out.write(f"/owntracks/pub\t{chr(1).join(headers)}\t{body.decode()}\n")
                continue
            i = j % fleet.count
            lat, lon = fleet.home(i)
            n = 100 if kind == "batch100" else 1
            reports = [
                {
                    "id": str(uuid.uuid4()),
                    "lat": lat,
                    "lon": lon,
                    "accuracy_m": 12.0,
                    "recorded_at": (now - timedelta(seconds=k * 30 + j % 60)).isoformat(),
                    "source": "gps",
                    "mock": False,
                }
                for k in range(n)
            ]
            body = json.dumps({"reports": reports}, separators=(",", ":")).encode()
            signature = base64.urlsafe_b64encode(fleet.private_key(i).sign(body)).decode()
            # A token the server has not seen, on every request: a phone's token lives 15
            # minutes and it reports every 15, so each report brings a new one. (Minted a
            # second apart per round through the fleet, so they differ.)
            round_of = j // fleet.count
            if (i, round_of) not in tokens:
                tokens[i, round_of] = fleet.access_token(i, now - timedelta(seconds=round_of % 300))
            headers = [
                f"Authorization: Bearer {tokens[i, round_of]}",
                "Content-Type: application/json",
                f"Amina-Signature: {signature.rstrip('=')}",
            ]
            out.write(f"/api/v1/me/locations\t{chr(1).join(headers)}\t{body.decode()}\n")
    return path


def ceiling_requests(path: Path) -> Path:
    path.write_text("/\tContent-Type: application/json\t{}\n")
    return path


def start_ceiling(port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [
        str(BIN / "uvicorn"),
        "bench.intake.ceiling:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-server-header",
        "--log-level",
        "info",
    ]
    with log.open("ab") as out:
        process = subprocess.Popen(
            command, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )
    deadline = time.monotonic() + 30
    url = f"http://127.0.0.1:{port}"
    while time.monotonic() < deadline:
        probe = subprocess.run(
            ["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST", f"{url}/"],
            capture_output=True,
            text=True,
        )
        if probe.stdout == "200":
            return process
        time.sleep(0.2)
    raise TimeoutError("the ceiling app did not start")


def measure(
    target: str,
    kind: str,
    url: str,
    requests_file: Path,
    concurrency: int,
    duration: float,
    pid: int,
    database: str | None,
    profile_dir: Path | None = None,
    database_url: str | None = None,
) -> Round:
    """One wrk round against `url`. With `database_url`, the reports it stored are counted."""
    spy = None
    if profile_dir is not None and target == "intake":
        # py-spy on the server's process tree while wrk runs (not in the timed CPU split's
        # favour: py-spy's own CPU is its process, outside the server's tree)
        profile_dir.mkdir(parents=True, exist_ok=True)
        spy = subprocess.Popen(
            [
                str(BIN / "py-spy"),
                "record",
                "--pid",
                str(pid),
                "--subprocesses",
                "--gil",
                "--rate",
                "200",
                "--duration",
                str(int(duration)),
                "--format",
                "raw",
                "--output",
                str(profile_dir / f"{database or 'sqlite'}-{kind}-{concurrency}.txt"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    with requests_file.open("rb") as lines:
        available = sum(1 for _ in lines)
    since = datetime.now(UTC)
    before, busy, steal = snapshot(), machine_busy()[0], machine_steal()
    children, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
    result = run_wrk(url, requests_file, concurrency, duration)
    elapsed = time.perf_counter() - started
    after, busy, steal = snapshot(), machine_busy()[0] - busy, machine_steal() - steal
    done = resource.getrusage(resource.RUSAGE_CHILDREN)
    wrk_s = done.ru_utime + done.ru_stime - children.ru_utime - children.ru_stime
    if spy is not None:
        spy.wait(30)
    split = cpu_split(before, after, server_pid=pid, database=database)
    total = max(result["total"], 1)
    return Round(
        target,
        kind,
        concurrency,
        result["requests_s"],
        result["p50_ms"],
        result["p99_ms"],
        result["non_2xx"],
        result["errors"],
        round(split["server"] * 1000 / total, 3),
        round(split["postgres"] * 1000 / total, 3) if database else None,
        machine_cores=round(busy / elapsed, 2),
        steal_cores=round(steal / elapsed, 2),
        wrk_cores=round(wrk_s / elapsed, 2),
        server_process_cores=tuple(
            round(s / elapsed, 2) for s in server_processes(before, after, pid)
        ),
        resent=max(0, result["total"] - available) if target == "intake" else 0,
        requests=result["total"],
        stored=count_reports(database_url, since) if database_url else None,
    )


@dataclass
class Population:
    """A seeded, migrated database and what serving it needs."""

    database: str
    devices: int
    url: str
    pg: str | None  # the scratch PostgreSQL database's name
    env: dict[str, str]
    fleet: Fleet
    work: Path
    stored: int  # location reports stored before the run
    tst: TstClock = field(default_factory=lambda: TstClock(int(time.time()) - 3_000))


def prepare_population(
    args: argparse.Namespace, database: str, devices: int, *, stored_reports: int = 0
) -> Population:
    """Migrate and seed `devices` registered devices (the first ones with OwnTracks
    credentials), and on PostgreSQL store `stored_reports` old reports (flatness)."""
    work = Path(args.work) / f"{database}-{devices}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    pg_name = f"amina_wrk_{devices}"
    if database == "sqlite":
        url, pg = f"sqlite:///{work}/amina.sqlite3", None
    else:
        url, pg = create_postgres(args.pg_admin_url, pg_name), pg_name
    env = server_env(url, work / "data")
    env.update(dict(item.split("=", 1) for item in args.server_env))
    if args.pythonpath:  # measure another checkout's code (e.g. `git archive main src`)
        env["PYTHONPATH"] = args.pythonpath
    with (work / "log.txt").open("a") as handle:
        migrate(env, handle)
    fleet = Fleet(devices)
    now = datetime.now(UTC)
    seed(url, fleet, now=now)
    give_owntracks(url, fleet, OWNTRACKS_DEVICES)
    stored = 0
    if stored_reports and database == "postgresql":
        took = store_history(url, stored_reports, now=now)
        stored = count_reports(url)
        print(f"stored history: {stored:,} reports in {took:.0f} s", flush=True)
    return Population(database, devices, url, pg, env, fleet, work, stored)


def warm_up(port: int, population: Population, kinds: list[str], seconds: float) -> None:
    """Not measured: every device once (a process that has run for 15 minutes has seen every
    phone), so the per-process caches hold them all. (The app's sessions serve the batches
    too.)"""
    fleet, work = population.fleet, population.work
    for kind in ["single"] + (["owntracks"] if "owntracks" in kinds else []):
        count = min(fleet.count, 100_000 if kind == "single" else OWNTRACKS_DEVICES)
        warm = write_requests(
            work / "warm.txt", population, kind, count, datetime.now(UTC) - timedelta(minutes=10)
        )
        # Long enough to send each request once at ~700 req/s.
        run_wrk(f"http://127.0.0.1:{port}", warm, 64, max(seconds, count / 700))


# Enough for a 10-second round at more than the fastest rates measured (single 3,300 req/s,
# batches 530 req/s); a round that runs past its file resends, and says so (`resent`).
REQUESTS_PER_ROUND = {"single": 40_000, "batch100": 6_000, "owntracks": 40_000}


def bench_database(args: argparse.Namespace, database: str, devices: int, out: Path) -> list[Any]:
    population = prepare_population(args, database, devices, stored_reports=args.stored_reports)
    work, pg = population.work, population.pg
    rows: list[Any] = []
    ceiling_port = free_port()
    ceiling = start_ceiling(ceiling_port, work / "ceiling.log")
    ceiling_file = ceiling_requests(work / "ceiling.txt")
    quotas = _quota(args, ceiling.pid)
    try:
        for workers in args.workers if database == "postgresql" else [1]:
            port = free_port()
            server = Server(population.env, port, workers, work / f"serve-{workers}.log")
            server.start()
            server_quotas = _quota(args, server.pid)
            try:
                warm_up(port, population, args.kinds, args.warmup)
                for kind in args.kinds:
                    for concurrency in args.concurrency:
                        rounds = []
                        for _ in range(args.rounds):
                            # Each round its own requests: reports no round before sent.
                            requests_file = write_requests(
                                work / f"{kind}-{concurrency}.txt",
                                population,
                                kind,
                                REQUESTS_PER_ROUND[kind],
                                datetime.now(UTC),
                            )
                            rounds.append(
                                measure(
                                    "ceiling",
                                    kind,
                                    f"http://127.0.0.1:{ceiling_port}",
                                    ceiling_file,
                                    concurrency,
                                    args.duration,
                                    ceiling.pid,
                                    None,
                                )
                            )
                            rounds.append(
                                measure(
                                    "intake",
                                    kind,
                                    f"http://127.0.0.1:{port}",
                                    requests_file,
                                    concurrency,
                                    args.duration,
                                    server.pid,
                                    pg,
                                    args.py_spy,
                                    population.url,
                                )
                            )
                            requests_file.unlink()
                        row = summarise(database, devices, workers, kind, concurrency, rounds)
                        row["stored_reports"] = population.stored
                        row["cores_per_process"] = args.cores_per_process
                        rows.append(row)
                        print(json.dumps(row), flush=True)
                        (out.with_suffix(".partial.json")).write_text(json.dumps(rows, indent=1))
            finally:
                server.stop()
                cpuquota.release(server_quotas)
    finally:
        os.killpg(ceiling.pid, signal.SIGTERM)
        ceiling.wait(10)
        cpuquota.release(quotas)
        if pg is not None and not args.keep:
            drop_postgres(args.pg_admin_url, pg)
    return rows


def _quota(args: argparse.Namespace, pid: int) -> list[Path]:
    """With `--cores-per-process`, cap each process of the server `pid` (cpuquota.py)."""
    if args.cores_per_process is None:
        return []
    return cpuquota.limit(sorted(descendants(pid, snapshot())), args.cores_per_process)


def summarise(
    database: str, devices: int, workers: int, kind: str, concurrency: int, rounds: list[Round]
) -> dict[str, Any]:
    ceiling = [r for r in rounds if r.target == "ceiling"]
    intake = [r for r in rounds if r.target == "intake"]

    def mean(values: list[float]) -> float:
        return sum(values) / len(values)

    intake_rate = mean([r.requests_s for r in intake])
    ceiling_rate = mean([r.requests_s for r in ceiling])
    per = 100 if kind == "batch100" else 1
    return {
        "database": database,
        "devices": devices,
        "workers": workers,
        "kind": kind,
        "concurrency": concurrency,
        "intake_req_s": round(intake_rate, 1),
        "reports_s": round(intake_rate * per, 1),
        "ceiling_req_s": round(ceiling_rate, 1),
        "ratio": round(intake_rate / ceiling_rate, 3) if ceiling_rate else None,
        "intake_p50_ms": round(mean([r.p50_ms for r in intake]), 1),
        "intake_p99_ms": round(max(r.p99_ms for r in intake), 1),
        "ceiling_p99_ms": round(max(r.p99_ms for r in ceiling), 1),
        "non_2xx": sum(r.non_2xx for r in intake),
        "socket_errors": sum(r.errors for r in intake),
        "server_cpu_ms_per_req": round(mean([r.cpu_ms_per_request or 0 for r in intake]), 3),
        "postgres_cpu_ms_per_req": (
            round(mean([r.postgres_ms_per_request or 0 for r in intake]), 3)
            if database == "postgresql"
            else None
        ),
        "ceiling_cpu_ms_per_req": round(mean([r.cpu_ms_per_request or 0 for r in ceiling]), 3),
        # Every intake request carries reports no request before it sent: resent counts the
        # ones past the end of a round's file, and stored/sent should be 1.0 (minus refusals).
        "intake_resent": sum(r.resent for r in intake),
        "intake_stored_share": stored_share(intake, per),
        "intake_machine_cores": round(mean([r.machine_cores for r in intake]), 2),
        "intake_steal_cores": round(mean([r.steal_cores for r in intake]), 2),
        "intake_wrk_cores": round(mean([r.wrk_cores for r in intake]), 2),
        "rounds": [r.__dict__ for r in rounds],
    }


def stored_share(rounds: list[Round], per: int) -> float | None:
    """Reports stored over reports sent, in `rounds` (None where a round was not counted)."""
    if any(r.stored is None for r in rounds):
        return None
    sent = per * sum(r.requests for r in rounds)
    return round(sum(r.stored or 0 for r in rounds) / max(1, sent), 3)


def markdown(rows: list[dict[str, Any]]) -> str:
    lines = [
        "| DB | devices | stored | procs | kind | in flight | intake req/s | reports/s "
        "| ceiling req/s | ratio | p50 ms | p99 ms | non-2xx | server CPU ms/req | PG CPU ms/req |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        pg = r["postgres_cpu_ms_per_req"]
        lines.append(
            f"| {r['database']} | {r['devices']:,} | {r.get('stored_reports', 0):,} "
            f"| {r['workers']} | {r['kind']} "
            f"| {r['concurrency']} | {r['intake_req_s']:,} | {r['reports_s']:,} "
            f"| {r['ceiling_req_s']:,} | {r['ratio']} | {r['intake_p50_ms']} "
            f"| {r['intake_p99_ms']} | {r['non_2xx']} | {r['server_cpu_ms_per_req']} "
            f"| {'' if pg is None else pg} |"
        )
    return "\n".join(lines) + "\n"


def write_results(out: Path, rows: list[Any], table: str) -> None:
    """`out`.json (every number) and `out`.md (the table), and the table on the console."""
    out.with_suffix(".json").write_text(json.dumps(rows, indent=1))
    out.with_suffix(".md").write_text(table)
    print(table)


def add_run_options(p: argparse.ArgumentParser, *, work: str) -> None:
    """Options this benchmark shares with `bench.intake.flatness`."""
    p.add_argument("--duration", type=float, default=10.0, help="seconds per wrk round")
    p.add_argument("--warmup", type=float, default=5.0, help="seconds of warm-up per server")
    p.add_argument(
        "--pg-admin-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    p.add_argument("--work", default=work)
    p.add_argument("--out", type=Path, default=Path("bench/results"))
    p.add_argument("--keep", action="store_true")
    p.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="AMINA_X=VALUE",
        help="a setting for the servers under test (repeatable)",
    )
    p.add_argument("--pythonpath", help="serve the amina package found here (a before/after run)")
    p.add_argument(
        "--cores-per-process",
        type=float,
        help="cap each server process, the ceiling's too, at this many cores (cpuquota.py)",
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.intake.wrk", description=__doc__)
    p.add_argument("--databases", default="sqlite,postgresql")
    p.add_argument("--devices", default="1000,100000")
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--concurrency", default="16,64,256,1024")
    p.add_argument("--workers", default="1,2", help="amina serve --workers on PostgreSQL")
    p.add_argument("--rounds", type=int, default=2, help="ceiling+intake pairs per cell")
    add_run_options(p, work="/tmp/amina-wrk-bench")
    p.add_argument(
        "--stored-reports",
        type=int,
        default=0,
        help="PostgreSQL: old reports stored before the run (flatness), e.g. 20000000",
    )
    p.add_argument(
        "--py-spy", type=Path, help="record a py-spy profile of each intake round into this folder"
    )
    args = p.parse_args(argv)
    args.kinds = [k for k in args.kinds.split(",") if k]
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.workers = [int(w) for w in args.workers.split(",")]
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"wrk-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    rows: list[Any] = []
    for database in args.databases.split(","):
        for devices in (int(d) for d in args.devices.split(",")):
            rows += bench_database(args, database, devices, out)
    write_results(out, rows, markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
