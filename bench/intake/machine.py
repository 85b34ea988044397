"""Facts about the machine and the software under test, and a quick check of how much CPU the
two vCPUs really deliver when both are busy."""

from __future__ import annotations

import multiprocessing
import os
import platform
import sqlite3
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

PACKAGES = (
    "amina",
    "fastapi",
    "starlette",
    "uvicorn",
    "uvloop",
    "httptools",
    "pydantic",
    "sqlalchemy",
    "psycopg",
    "psycopg-binary",
    "cryptography",
    "pyjwt",
)
BURN_LOOPS = 6_000_000


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _mem_total_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _git(*args: str) -> str:
    try:
        done = subprocess.run(["git", *args], capture_output=True, text=True, check=False)
    except OSError:
        return ""
    return done.stdout.strip()


def facts() -> dict[str, Any]:
    versions: dict[str, str] = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": _cpu_model(),
        "mem_total_gib": round(_mem_total_gib(), 1),
        "kernel": platform.release(),
        "os": _os_name(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "packages": versions,
        "git_commit": _git("rev-parse", "--short", "HEAD"),
        "git_dirty_files": len(_git("status", "--porcelain").splitlines()),
    }


def _os_name() -> str:
    try:
        for line in Path("/etc/os-release").read_text().splitlines():
            if line.startswith("PRETTY_NAME="):
                return line.split("=", 1)[1].strip('"')
    except OSError:
        pass
    return platform.platform()


def _burn(loops: int) -> float:
    started = time.perf_counter()
    total = 0
    for n in range(loops):
        total += n * n
    return time.perf_counter() - started


def calibrate() -> dict[str, float]:
    """Time a pure-Python loop alone, then in two processes at once. On a machine with two
    real cores both copies take as long as one alone (speed-up 2.0)."""
    alone = min(_burn(BURN_LOOPS) for _ in range(2))
    with multiprocessing.get_context("fork").Pool(2) as pool:
        together = pool.map(_burn, [BURN_LOOPS, BURN_LOOPS])
    return {
        "one_process_s": round(alone, 3),
        "two_processes_s": round(max(together), 3),
        "parallel_speedup": round(2 * alone / max(together), 2),
    }
