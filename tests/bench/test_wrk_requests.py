"""The wrk benchmark's requests: no round resends another round's reports (a resend is answered
as a duplicate, which costs the server less and flattered the earlier runs)."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.intake.fleet import Fleet
from bench.intake.wrk import Population, TstClock, write_requests


def population(tmp_path: Path, devices: int = 5) -> Population:
    return Population("sqlite", devices, "sqlite://", None, {}, Fleet(devices), tmp_path, 0)


def report_keys(path: Path, kind: str) -> list[tuple[str, object]]:
    """What a request's reports are deduplicated by: the report id (the app), the device and
    its timestamp (OwnTracks, whose ids derive from them)."""
    keys: list[tuple[str, object]] = []
    for line in path.read_text().splitlines():
        _, headers, body = line.split("\t")
        parsed = json.loads(body)
        if kind == "owntracks":
            keys.append((headers.split("\1")[0], parsed["tst"]))
        else:
            keys.extend((r["id"], None) for r in parsed["reports"])
    return keys


@pytest.mark.parametrize("kind", ["single", "batch100", "owntracks"])
def test_rounds_of_one_run_share_no_report(tmp_path: Path, kind: str) -> None:
    people = population(tmp_path)
    seen: list[tuple[str, object]] = []
    for round_ in range(3):
        path = write_requests(tmp_path / f"{round_}.txt", people, kind, 12, datetime.now(UTC))
        seen += report_keys(path, kind)
    assert len(seen) == len(set(seen)) == 3 * 12 * (100 if kind == "batch100" else 1)


def test_owntracks_timestamps_never_pass_the_present() -> None:
    clock = TstClock(int(time.time()) - 100)
    assert clock.take(60) == clock.next - 60
    with pytest.raises(RuntimeError, match="present"):
        clock.take(60)
