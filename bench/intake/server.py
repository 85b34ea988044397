"""The server under test (`amina serve` in its own process group), scratch databases, and CPU
accounting per process group from /proc."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from .fleet import BENCH_SECRET_KEY

BIN = Path(sys.executable).parent
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def server_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The process environment for `amina` commands: no inherited AMINA_* settings (AMINA_NOW
    would shift the clock) but the tuning ones (AMINA_GC_*, AMINA_GIL_*, AMINA_INTAKE_*: what
    an A/B run varies), a fixed secret the load generator shares, and quiet app logging."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("AMINA_") or k.startswith(("AMINA_GC_", "AMINA_GIL_", "AMINA_INTAKE_"))
    }
    env.update(
        AMINA_ENV="development",
        AMINA_DATABASE_URL=database_url,
        AMINA_DATA_DIR=str(data_dir),
        AMINA_SECRET_KEY=BENCH_SECRET_KEY,
        AMINA_LOG_LEVEL="WARNING",
    )
    return env


def migrate(env: Mapping[str, str], log: IO[str]) -> None:
    subprocess.run(
        [str(BIN / "amina"), "migrate"], env=dict(env), check=True, stdout=log, stderr=log
    )


# -- scratch databases --------------------------------------------------------------------------


def create_postgres(admin_url: str, name: str) -> str:
    """A fresh, empty database `name` on the server of `admin_url`; returns its URL."""
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        engine.dispose()
    return make_url(admin_url).set(database=name).render_as_string(hide_password=False)


def drop_postgres(admin_url: str, name: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        engine.dispose()


def postgres_facts(url: str) -> dict[str, str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            facts = {"version": str(connection.scalar(text("SELECT version()")))}
            for setting in ("synchronous_commit", "fsync", "shared_buffers", "wal_level"):
                facts[setting] = str(connection.scalar(text(f"SHOW {setting}")))
    finally:
        engine.dispose()
    return facts


# -- the server ---------------------------------------------------------------------------------


@dataclass
class Server:
    """`amina serve` on 127.0.0.1:`port`, started in its own session so that it (and, with
    several workers, its children) can be stopped by its process-group id."""

    env: Mapping[str, str]
    port: int
    workers: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> None:
        command = [
            str(BIN / "amina"),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
        ]
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                command,
                env=dict(self.env),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_ready(timeout)

    def _wait_ready(self, timeout: float) -> None:
        url = f"http://127.0.0.1:{self.port}/api/v1/health"
        deadline = time.monotonic() + timeout
        healthy = 0
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"amina serve exited early; see {self.log_path}")
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    healthy = healthy + 1 if response.status == 200 else 0
            except (urllib.error.URLError, OSError):
                healthy = 0
            # Several workers come up one by one: wait for a run of good answers.
            if healthy >= 5 * self.workers:
                return
            time.sleep(0.1)
        raise TimeoutError(f"amina serve did not become healthy; see {self.log_path}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def stop(self, timeout: float = 20.0) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


# -- CPU accounting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ProcessTimes:
    comm: str
    ppid: int
    cpu_s: float  # user + system, seconds
    database: str | None = None  # a PostgreSQL backend's database ("" for auxiliary processes)


def _postgres_database(pid: str) -> str:
    """`postgres: 15/main: user database host(port) state` names a backend's database; the
    auxiliary processes (`postgres: 15/main: walwriter`) have no database."""
    try:
        title = Path("/proc", pid, "cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
    parts = title.split(":", 2)
    words = parts[2].split() if len(parts) == 3 else []
    is_backend = len(words) >= 3 and ("(" in words[2] or words[2] == "[local]")
    return words[1] if is_backend else ""


def snapshot() -> dict[int, ProcessTimes]:
    """User+system CPU time of every process now."""
    times: dict[int, ProcessTimes] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            raw = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        cpu = (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        database = _postgres_database(entry.name) if comm.startswith("postgres") else None
        times[int(entry.name)] = ProcessTimes(comm, int(fields[1]), cpu, database)
    return times


def machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])  # user nice system idle iowait irq softirq steal
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def machine_steal() -> float:
    """CPU seconds the hypervisor took from this machine since boot (/proc/stat's steal)."""
    values = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    return int(values[7]) / CLOCK_TICKS


def descendants(root: int, times: Mapping[int, ProcessTimes]) -> set[int]:
    family, grew = {root}, True
    while grew:
        grew = False
        for pid, process in times.items():
            if process.ppid in family and pid not in family:
                family.add(pid)
                grew = True
    return family


def cpu_split(
    before: Mapping[int, ProcessTimes],
    after: Mapping[int, ProcessTimes],
    *,
    server_pid: int | None,
    database: str | None,
) -> dict[str, float]:
    """CPU seconds spent between two snapshots by the server, by PostgreSQL for it (its backends
    and the shared auxiliary processes), by this load generator, and by everything else (other
    people's work on the machine: the noise)."""
    server = descendants(server_pid, after) if server_pid else set()
    split = {"server": 0.0, "postgres": 0.0, "loadgen": 0.0, "other": 0.0}
    for pid, process in after.items():
        spent = process.cpu_s - (before[pid].cpu_s if pid in before else 0.0)
        if spent <= 0:
            continue
        if pid in server:
            split["server"] += spent
        elif process.database is not None and process.database in ("", database):
            split["postgres"] += spent
        elif pid == os.getpid():
            split["loadgen"] += spent
        else:
            split["other"] += spent
    return split


def server_processes(
    before: Mapping[int, ProcessTimes], after: Mapping[int, ProcessTimes], server_pid: int
) -> list[float]:
    """CPU seconds of each process of the server (supervisor and workers), largest first: shows
    whether `--workers 2` really shared the work."""
    spent = [
        after[pid].cpu_s - (before[pid].cpu_s if pid in before else 0.0)
        for pid in descendants(server_pid, after)
        if pid in after
    ]
    return sorted((s for s in spent if s > 0), reverse=True)
