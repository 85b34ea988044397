"""The whole matrix: for each database and population, seed, start `amina serve`, measure the
ceiling endpoint and the intake scenarios, stop, clean up; then write JSON and a Markdown table.
"""

from __future__ import annotations

import json
import math
import random
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console

from amina.config import Settings

from . import loadgen, machine
from .fleet import DEFAULT_SEED, Fleet
from .seed import DEFAULT_CHUNK, SeedResult, seed
from .server import (
    Server,
    cpu_split,
    create_postgres,
    drop_postgres,
    free_port,
    machine_busy,
    migrate,
    postgres_facts,
    server_env,
    server_processes,
    snapshot,
)

DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
DEFAULT_PG_DATABASE = "amina_bench"
# A generous first guess of the rate (requests/s), divided by sqrt(batch), sizes the warm-up; if
# the warm-up runs out early it is still warm. The timed run is sized from the rate the warm-up
# actually reached, times PREPARE_MARGIN.
GUESS_RATE_SINGLE = 400.0
PREPARE_MARGIN = 2.0
MIN_PREPARED = 200


@dataclass
class Options:
    databases: list[str]
    devices: list[int]
    batches: list[int]
    concurrency: list[int]
    pg_workers: list[int]
    sqlite_workers: int = 1
    duration: float = 20.0
    warmup: float = 3.0
    ceiling: bool = True
    wrk: bool = True
    pg_admin_url: str = DEFAULT_PG_ADMIN_URL
    pg_database: str = DEFAULT_PG_DATABASE
    out: Path = Path("bench/results")
    keep: bool = False
    seed: str = DEFAULT_SEED
    chunk: int = DEFAULT_CHUNK
    calibrate: bool = True
    quiet_threshold: float = 0.15  # cores used by other processes that count as "quiet"
    quiet_wait: float = 90.0  # how long to wait for quiet before a timed run
    noisy_threshold: float = 0.30  # other processes' cores during a run that make it "noisy"
    retries: int = 1  # re-runs of a noisy scenario
    command: str = ""


@dataclass
class Cell:
    """One measured scenario on one server run."""

    database: str
    devices: int
    workers: int
    scenario: str  # "health" (the ceiling) or "reports"
    batch: int
    concurrency: int
    client: str  # "python" (bench.intake.loadgen) or "wrk"
    requests: int
    reports: int
    elapsed_s: float
    req_per_s: float
    reports_per_s: float
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float
    statuses: dict[str, int] = field(default_factory=dict)
    ok: int = 0
    sent_reports: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    mismatched: int = 0
    connection_errors: int = 0
    samples: list[str] = field(default_factory=list)
    cores: dict[str, float] = field(default_factory=dict)  # CPU cores used, by group
    server_processes: list[float] = field(default_factory=list)  # cores per server process
    machine_busy_cores: float = 0.0
    noisy: bool = False
    exhausted: bool = False
    prepared: int = 0
    prepare_s: float = 0.0
    attempts: int = 1

    @property
    def label(self) -> str:
        if self.scenario == "health":
            return f"ceiling GET /api/v1/health ({self.client})"
        return "1 report/request" if self.batch == 1 else f"{self.batch} reports/request"


@dataclass
class ServerRun:
    database: str
    devices: int
    workers: int
    cells: list[Cell] = field(default_factory=list)


@dataclass
class Report:
    started_at: str
    command: str
    options: dict[str, Any]
    machine: dict[str, Any]
    calibration: dict[str, float]
    postgres: dict[str, str]
    seeds: list[dict[str, Any]] = field(default_factory=list)
    runs: list[ServerRun] = field(default_factory=list)
    finished_at: str = ""
    total_s: float = 0.0


class Bench:
    def __init__(self, options: Options, console: Console) -> None:
        self.options = options
        self.console = console

    # -- noise ------------------------------------------------------------------------------

    def _others(self, server_pid: int | None, database: str | None, window: float) -> float:
        before = snapshot()
        time.sleep(window)
        split = cpu_split(before, snapshot(), server_pid=server_pid, database=database)
        return split["other"] / window

    def wait_quiet(self, server_pid: int | None, database: str | None) -> None:
        """Other people's processes share this small machine: wait (a while) until they rest."""
        deadline = time.monotonic() + self.options.quiet_wait
        others = self._others(server_pid, database, 1.0)
        told = False
        while others > self.options.quiet_threshold and time.monotonic() < deadline:
            if not told:
                self.console.print(
                    f"  [yellow]waiting for a quiet machine[/yellow] (other processes use "
                    f"{others:.2f} cores; up to {self.options.quiet_wait:.0f} s)"
                )
                told = True
            others = self._others(server_pid, database, 2.0)

    # -- measuring --------------------------------------------------------------------------

    def _measure(
        self,
        server: Server,
        database: str | None,
        prepared: loadgen.Prepared,
        concurrency: int,
        cycle: bool,
    ) -> tuple[loadgen.Outcome, dict[str, float], list[float], float]:
        before, busy_before = snapshot(), machine_busy()[0]
        outcome = loadgen.drive(
            "127.0.0.1",
            server.port,
            prepared,
            concurrency=concurrency,
            duration=self.options.duration,
            cycle=cycle,
        )
        after, busy_after = snapshot(), machine_busy()[0]
        split = cpu_split(before, after, server_pid=server.pid, database=database)
        cores = {k: round(v / outcome.elapsed, 2) for k, v in split.items()}
        per_process = [
            round(v / outcome.elapsed, 2) for v in server_processes(before, after, server.pid)
        ]
        return outcome, cores, per_process, round((busy_after - busy_before) / outcome.elapsed, 2)

    def _cell(
        self,
        run: ServerRun,
        scenario: str,
        batch: int,
        concurrency: int,
        prepared: loadgen.Prepared,
        outcome: loadgen.Outcome,
        cores: dict[str, float],
        per_process: list[float],
        busy: float,
    ) -> Cell:
        checked = loadgen.check(prepared, outcome)
        lat = loadgen.latency(outcome)
        reports = checked.accepted if scenario == "reports" else 0
        return Cell(
            database=run.database,
            devices=run.devices,
            workers=run.workers,
            scenario=scenario,
            batch=batch,
            concurrency=concurrency,
            client="python",
            requests=outcome.completed,
            reports=reports,
            elapsed_s=round(outcome.elapsed, 3),
            req_per_s=round(outcome.completed / outcome.elapsed, 1),
            reports_per_s=round(reports / outcome.elapsed, 1),
            p50_ms=round(lat.p50_ms, 2),
            p90_ms=round(lat.p90_ms, 2),
            p99_ms=round(lat.p99_ms, 2),
            max_ms=round(lat.max_ms, 2),
            mean_ms=round(lat.mean_ms, 2),
            statuses={str(k): v for k, v in sorted(checked.statuses.items())},
            ok=checked.ok,
            sent_reports=checked.sent_reports if scenario == "reports" else 0,
            accepted=checked.accepted,
            duplicates=checked.duplicates,
            rejected=checked.rejected,
            mismatched=checked.mismatched,
            connection_errors=sum(outcome.errors.values()),
            samples=checked.samples,
            cores=cores,
            server_processes=per_process,
            machine_busy_cores=busy,
            noisy=cores.get("other", 0.0) > self.options.noisy_threshold,
            exhausted=outcome.exhausted,
            prepared=len(prepared),
            prepare_s=round(prepared.seconds, 2),
        )

    def health(self, server: Server, run: ServerRun, database: str | None, c: int) -> Cell:
        prepared = loadgen.prepare_health(f"127.0.0.1:{server.port}")
        best: Cell | None = None
        for attempt in range(1, self.options.retries + 2):
            loadgen.drive(
                "127.0.0.1", server.port, prepared, concurrency=c, duration=1.0, cycle=True
            )
            self.wait_quiet(server.pid, database)
            outcome, cores, per_process, busy = self._measure(
                server, database, prepared, c, cycle=True
            )
            cell = self._cell(run, "health", 0, c, prepared, outcome, cores, per_process, busy)
            cell.attempts = attempt
            best = _better(best, cell)
            self._print(cell)
            if not cell.noisy:
                break
        assert best is not None
        return best

    def wrk(self, server: Server, run: ServerRun, database: str | None, c: int) -> Cell | None:
        binary = shutil.which("wrk")
        if binary is None:
            self.console.print("  [dim]wrk not installed: no wrk cross-check[/dim]")
            return None
        self.wait_quiet(server.pid, database)
        url = f"http://127.0.0.1:{server.port}{loadgen.HEALTH_PATH}"
        command = [binary, "-t1", f"-c{c}", f"-d{self.options.duration:.0f}s", "--latency", url]
        before, busy_before = snapshot(), machine_busy()[0]
        started = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        elapsed = time.perf_counter() - started
        after, busy_after = snapshot(), machine_busy()[0]
        split = cpu_split(before, after, server_pid=server.pid, database=database)
        per_process = [v / elapsed for v in server_processes(before, after, server.pid)]
        # wrk is a child of this process: its CPU lands in "other"; count it as the client.
        wrk_cpu = sum(p.cpu_s for pid, p in after.items() if p.comm == "wrk" and pid not in before)
        split["loadgen"] += wrk_cpu
        split["other"] = max(0.0, split["other"] - wrk_cpu)
        parsed = _parse_wrk(done.stdout)
        cell = Cell(
            database=run.database,
            devices=run.devices,
            workers=run.workers,
            scenario="health",
            batch=0,
            concurrency=c,
            client="wrk",
            requests=int(parsed["requests"]),
            reports=0,
            elapsed_s=round(parsed["seconds"], 3),
            req_per_s=round(parsed["req_per_s"], 1),
            reports_per_s=0.0,
            p50_ms=parsed["p50_ms"],
            p90_ms=parsed["p90_ms"],
            p99_ms=parsed["p99_ms"],
            max_ms=parsed["max_ms"],
            mean_ms=parsed["mean_ms"],
            statuses={"non-2xx/3xx": int(parsed["non_2xx"])},
            ok=int(parsed["requests"] - parsed["non_2xx"]),
            connection_errors=int(parsed["socket_errors"]),
            cores={k: round(v / elapsed, 2) for k, v in split.items()},
            server_processes=[round(v, 2) for v in per_process],
            machine_busy_cores=round((busy_after - busy_before) / elapsed, 2),
        )
        cell.noisy = cell.cores.get("other", 0.0) > self.options.noisy_threshold
        self._print(cell)
        return cell

    def reports(
        self,
        server: Server,
        run: ServerRun,
        database: str | None,
        fleet: Fleet,
        timeline: loadgen.Timeline,
        batch: int,
        c: int,
        rng: random.Random,
    ) -> Cell:
        host = f"127.0.0.1:{server.port}"
        best: Cell | None = None
        for attempt in range(1, self.options.retries + 2):
            guess = GUESS_RATE_SINGLE / math.sqrt(batch)
            warm = loadgen.prepare_reports(
                fleet,
                timeline,
                host=host,
                requests=max(MIN_PREPARED // 2, int(guess * self.options.warmup)),
                batch=batch,
                rng=rng,
            )
            warmed = loadgen.drive(
                "127.0.0.1", server.port, warm, concurrency=c, duration=self.options.warmup
            )
            rate = warmed.completed / warmed.elapsed if warmed.elapsed else guess
            count = max(MIN_PREPARED, int(rate * self.options.duration * PREPARE_MARGIN))
            prepared = loadgen.prepare_reports(
                fleet, timeline, host=host, requests=count, batch=batch, rng=rng
            )
            self.wait_quiet(server.pid, database)
            outcome, cores, per_process, busy = self._measure(
                server, database, prepared, c, cycle=False
            )
            cell = self._cell(run, "reports", batch, c, prepared, outcome, cores, per_process, busy)
            cell.attempts = attempt
            best = _better(best, cell)
            self._print(cell)
            if not cell.noisy:
                break
        assert best is not None
        return best

    def _print(self, cell: Cell) -> None:
        flags = []
        if cell.noisy:
            flags.append("[red]noisy[/red]")
        if cell.exhausted:
            flags.append("[yellow]ran out of prepared requests[/yellow]")
        failures = sum(v for k, v in cell.statuses.items() if k != "200") + cell.mismatched
        if cell.client == "python" and failures:
            flags.append(f"[red]{failures} failed[/red]")
        reports = f", {cell.reports_per_s:,.0f} reports/s" if cell.scenario == "reports" else ""
        self.console.print(
            f"  {cell.label:<38} c={cell.concurrency:<3} {cell.req_per_s:>8,.1f} req/s{reports}, "
            f"p50 {cell.p50_ms:.1f} ms, p99 {cell.p99_ms:.1f} ms; cores {cell.cores}, "
            f"server processes {cell.server_processes} " + " ".join(flags)
        )

    # -- the matrix -------------------------------------------------------------------------

    @contextmanager
    def database(self, kind: str, devices: int, workdir: Path) -> Iterator[tuple[str, str | None]]:
        """A fresh, migrated database; yields (url, PostgreSQL database name or None)."""
        if kind == "sqlite":
            path = workdir / f"intake_{devices}.sqlite3"
            try:
                yield f"sqlite:///{path}", None
            finally:
                if not self.options.keep:
                    for suffix in ("", "-wal", "-shm"):
                        Path(f"{path}{suffix}").unlink(missing_ok=True)
            return
        name = self.options.pg_database
        url = create_postgres(self.options.pg_admin_url, name)
        try:
            yield url, name
        finally:
            if not self.options.keep:
                drop_postgres(self.options.pg_admin_url, name)

    def run(self) -> Report:
        options = self.options
        started = time.perf_counter()
        options.out.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        report = Report(
            started_at=datetime.now(UTC).isoformat(timespec="seconds"),
            command=options.command,
            options={k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
            machine=machine.facts(),
            calibration={},
            postgres={},
        )
        if options.calibrate:
            self.wait_quiet(None, None)
            report.calibration = machine.calibrate()
            self.console.print(f"CPU check: {report.calibration}")
        if "postgresql" in options.databases:
            report.postgres = postgres_facts(options.pg_admin_url)
        workdir = Path(tempfile.mkdtemp(prefix="amina-bench-"))
        log = (options.out / f"intake-{stamp}-server.log").open("a")
        try:
            for kind in options.databases:
                for devices in options.devices:
                    self._population(report, kind, devices, workdir, log)
        finally:
            log.close()
            if not options.keep:
                shutil.rmtree(workdir, ignore_errors=True)
            else:
                self.console.print(f"kept the scratch directory {workdir}")
        report.finished_at = datetime.now(UTC).isoformat(timespec="seconds")
        report.total_s = round(time.perf_counter() - started, 1)
        json_path = options.out / f"intake-{stamp}.json"
        json_path.write_text(json.dumps(asdict(report), indent=2) + "\n")
        markdown = render_markdown(report)
        (options.out / f"intake-{stamp}.md").write_text(markdown)
        print(markdown)
        self.console.print(f"results: {json_path} (and .md); total {report.total_s:.0f} s")
        return report

    def _population(self, report: Report, kind: str, devices: int, workdir: Path, log: Any) -> None:
        options = self.options
        self.console.rule(f"{kind}, {devices:,} devices")
        with self.database(kind, devices, workdir) as (url, pg_name):
            env = server_env(url, workdir / "data")
            migrate(env, log)
            fleet = Fleet(devices, options.seed)
            seeded: SeedResult = seed(
                url,
                fleet,
                chunk=options.chunk,
                console=self.console,
                settings=Settings(database_url=url, data_dir=workdir / "data"),
            )
            report.seeds.append(
                {
                    "database": kind,
                    "devices": devices,
                    "rows": seeded.rows,
                    "insert_s": round(seeded.insert_seconds, 1),
                    "finish_s": round(seeded.finish_seconds, 1),
                    "total_s": round(seeded.seconds, 1),
                }
            )
            self.console.print(
                f"seeded {devices:,} devices ({seeded.rows:,} rows) in {seeded.insert_seconds:.1f}"
                f" s + {seeded.finish_seconds:.1f} s "
                + ("VACUUM ANALYZE" if kind == "postgresql" else "WAL checkpoint")
            )
            timeline = loadgen.Timeline(seeded.last_monitoring_at + timedelta(seconds=1))
            rng = random.Random(f"{options.seed}:{kind}:{devices}")
            for workers in options.pg_workers if kind == "postgresql" else [options.sqlite_workers]:
                run = ServerRun(kind, devices, workers)
                report.runs.append(run)
                server = Server(env, free_port(), workers, Path(log.name))
                self.console.print(f"[bold]amina serve --workers {workers}[/bold] on {kind}")
                server.start()
                try:
                    for c in options.concurrency:
                        if options.ceiling:
                            run.cells.append(self.health(server, run, pg_name, c))
                        if options.wrk and (cell := self.wrk(server, run, pg_name, c)):
                            run.cells.append(cell)
                        for batch in options.batches:
                            cell = self.reports(
                                server, run, pg_name, fleet, timeline, batch, c, rng
                            )
                            run.cells.append(cell)
                finally:
                    server.stop()


def _better(best: Cell | None, cell: Cell) -> Cell:
    """Of several attempts keep the least disturbed one."""
    if best is None:
        return cell
    return cell if cell.cores.get("other", 0.0) < best.cores.get("other", 0.0) else best


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _wrk_ms(value: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s)", value.strip())
    if not match:
        return float("nan")
    return round(float(match.group(1)) * _WRK_UNITS[match.group(2)], 2)


def _parse_wrk(output: str) -> dict[str, float]:
    parsed: dict[str, float] = {"non_2xx": 0.0, "socket_errors": 0.0}
    for line in output.splitlines():
        words = line.split()
        if not words:
            continue
        if words[0] == "Latency" and len(words) >= 5:
            parsed["mean_ms"] = _wrk_ms(words[1])
            parsed["max_ms"] = _wrk_ms(words[3])
        elif words[0] in ("50%", "90%", "99%") and len(words) == 2:
            parsed[f"p{words[0][:-1]}_ms"] = _wrk_ms(words[1])
        elif "requests in" in line:
            parsed["requests"] = float(words[0])
            parsed["seconds"] = _wrk_ms(words[3].rstrip(",")) / 1000
        elif words[0] == "Requests/sec:":
            parsed["req_per_s"] = float(words[1])
        elif words[0] == "Non-2xx":
            parsed["non_2xx"] = float(words[-1])
        elif words[0] == "Socket":
            parsed["socket_errors"] = float(sum(int(n) for n in re.findall(r"\d+", line)))
    return parsed


# -- the report ---------------------------------------------------------------------------------


def _ceiling(run: ServerRun, concurrency: int) -> Cell | None:
    for cell in run.cells:
        if (
            cell.scenario == "health"
            and cell.client == "python"
            and cell.concurrency == concurrency
        ):
            return cell
    return None


def _row(run: ServerRun, cell: Cell) -> list[str]:
    ceiling = _ceiling(run, cell.concurrency)
    intake = cell.scenario == "reports"
    failures = sum(v for k, v in cell.statuses.items() if k != "200")
    if intake:
        checked = f"{cell.accepted:,}/{cell.sent_reports:,} accepted"
        if failures or cell.mismatched:
            checked += f"; {failures} non-200, {cell.mismatched} mismatched"
    else:
        checked = f"{cell.ok:,} ok" + (f"; {failures} failed" if failures else "")
    flags = (" (noisy)" if cell.noisy else "") + (" (ran short)" if cell.exhausted else "")
    return [
        "SQLite" if cell.database == "sqlite" else "PostgreSQL",
        f"{cell.devices:,}",
        str(cell.workers),
        cell.label + flags,
        str(cell.concurrency),
        f"{cell.req_per_s:,.1f}",
        f"{cell.reports_per_s:,.0f}" if intake else "",
        f"{cell.p50_ms:.1f}",
        f"{cell.p99_ms:.1f}",
        f"{ceiling.req_per_s:,.1f}" if intake and ceiling else "",
        f"{cell.req_per_s / ceiling.req_per_s:.2f}" if intake and ceiling else "",
        checked,
    ]


HEADER = (
    "Database",
    "Devices",
    "Workers",
    "Scenario",
    "In flight",
    "Requests/s",
    "Reports/s",
    "p50 ms",
    "p99 ms",
    "Ceiling req/s",
    "Intake/ceiling",
    "Checked",
)


def render_markdown(report: Report) -> str:
    lines = [
        "| " + " | ".join(HEADER) + " |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in report.runs:
        lines += ["| " + " | ".join(_row(run, cell)) + " |" for cell in run.cells]
    lines += [
        "",
        "CPU cores used during each timed run (server / PostgreSQL / load generator / other):",
        "",
    ]
    for run in report.runs:
        for cell in run.cells:
            c = cell.cores
            lines.append(
                f"- {cell.database} {cell.devices:,} w{cell.workers} {cell.label} "
                f"c={cell.concurrency}: {c.get('server', 0):.2f} / {c.get('postgres', 0):.2f} / "
                f"{c.get('loadgen', 0):.2f} / {c.get('other', 0):.2f} "
                f"(machine busy {cell.machine_busy_cores:.2f}; per server process "
                f"{', '.join(f'{v:.2f}' for v in cell.server_processes)})"
            )
    seeds = ", ".join(f"{s['database']} {s['devices']:,}: {s['total_s']} s" for s in report.seeds)
    lines += ["", f"Seeding: {seeds}."]
    if report.calibration:
        lines.append(f"CPU check: {report.calibration}.")
    return "\n".join(lines) + "\n"
