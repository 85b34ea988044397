"""A fixed CPU budget per server process, for measuring how intake scales with processes.

On a machine with as many cores as the servers need, N processes would each have a core of
their own. On the 2-core benchmark machine they do not: one process of single reports already
keeps about one core busy, and PostgreSQL and wrk need part of the other, so two processes can
only share what is left (docs/performance.md, "Ninth run"). With `--cores-per-process Q`, each
server process (and the ceiling's) runs in a cgroup of its own capped at Q cores (Linux CFS
bandwidth control, cgroup v1 `cpu` or cgroup v2), so that 1 and 2 processes are compared at
the same budget per process while the machine still has room for both; then what the ratio
shows is whether anything in the software (a shared lock, a single writer, an uneven split of
connections) keeps the second process from doing as much as the first.

The period is short (10 ms) so that a throttled process waits at most a few milliseconds.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

PERIOD_US = 10_000
V1 = Path("/sys/fs/cgroup/cpu")
V2 = Path("/sys/fs/cgroup/unified")


class QuotaUnavailable(RuntimeError):
    pass


def _root() -> tuple[Path, bool]:
    """The folder new cgroups go in, and whether it is cgroup v2."""
    if (V1 / "cpu.cfs_quota_us").exists():
        return V1, False
    for v2 in (V2, Path("/sys/fs/cgroup")):
        control = v2 / "cgroup.subtree_control"
        if control.exists() and "cpu" in control.read_text().split():
            return v2, True
    raise QuotaUnavailable("no writable cgroup cpu controller (cgroup v1 cpu or v2 cpu.max)")


def limit(pids: Iterable[int], cores: float, *, name: str = "amina-bench") -> list[Path]:
    """Put each process of `pids` (all its threads, and those it starts later) in a cgroup of
    its own capped at `cores` CPUs. Returns the cgroups made, for `release`."""
    root, v2 = _root()
    quota = max(1000, round(cores * PERIOD_US))
    made: list[Path] = []
    for pid in pids:
        group = root / f"{name}-{pid}"
        group.mkdir(exist_ok=True)
        made.append(group)
        if v2:
            (group / "cpu.max").write_text(f"{quota} {PERIOD_US}")
        else:
            (group / "cpu.cfs_period_us").write_text(str(PERIOD_US))
            (group / "cpu.cfs_quota_us").write_text(str(quota))
        (group / "cgroup.procs").write_text(str(pid))
    return made


def throttled_s(groups: Iterable[Path]) -> float:
    """Seconds the processes of `groups` were held back by their quota, in all."""
    total = 0.0
    for group in groups:
        stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines() if line)
        if "throttled_usec" in stat:  # v2
            total += int(stat["throttled_usec"]) / 1e6
        else:  # v1: nanoseconds
            total += int(stat.get("throttled_time", 0)) / 1e9
    return total


def release(groups: Iterable[Path]) -> None:
    """Move what is left in `groups` back to the root cgroup and remove them."""
    for group in groups:
        if not group.exists():
            continue
        parent = group.parent
        for pid in (group / "cgroup.procs").read_text().split():
            with contextlib.suppress(OSError):  # gone meanwhile
                (parent / "cgroup.procs").write_text(pid)
        with contextlib.suppress(OSError):
            os.rmdir(group)
