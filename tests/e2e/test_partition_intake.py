"""Intake keeps going while the worker makes and drops day partitions (issue 8, PostgreSQL).

A real `amina serve` takes signed reports one after another while this process creates day
partitions (plain table + ATTACH) and drops them (as retention does). Every report is answered
200, and no answer waits much longer than the DDL's lock timeout.
"""

from __future__ import annotations

import json
import threading
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from amina.auth.devices import b64url_encode
from amina.db import Database
from amina.monitoring import partitions
from amina.rules.calendar import moscow_date
from tests.conftest import DatabaseFactory
from tests.e2e.test_durability import sign_in
from tests.support.migrant import Migrant
from tests.support.server import LiveServer

pytestmark = [pytest.mark.server, pytest.mark.slow]
# The lock timeout is 0.5 s; the rest is headroom for a shared, loaded 2-core machine.
SLOWEST_ANSWER_S = 3.0


class Sender:
    """Signed single reports, one after another, from a thread; keeps (start, seconds, status)."""

    def __init__(self, base_url: str, migrant: Migrant) -> None:
        self.base_url, self.migrant = base_url, migrant
        self.answers: list[tuple[float, float, int]] = []
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=30) as http:
            while not self.stop.is_set():
                body = json.dumps({"reports": [self.migrant.location()]}).encode()
                headers = {
                    **self.migrant.auth,
                    "Content-Type": "application/json",
                    "Amina-Signature": b64url_encode(self.migrant.key.sign(body)),
                }
                started = time.monotonic()
                status = http.post("/api/v1/me/locations", content=body, headers=headers)
                self.answers.append((started, time.monotonic() - started, status.status_code))

    def wait_for(self, count: int, timeout_s: float = 30) -> None:
        deadline = time.monotonic() + timeout_s
        while len(self.answers) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(self.answers) >= count, "intake did not answer"


def test_intake_goes_on_while_partitions_are_made_and_dropped(
    live_server: LiveServer, live_url: str, database_factory: DatabaseFactory
) -> None:
    if not database_factory.is_postgres:
        pytest.skip("location_reports is partitioned on PostgreSQL only")
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        migrant = sign_in(live_server, http)
    db = Database.connect(live_url)
    sender = Sender(live_server.base_url, migrant)
    sender.thread.start()
    try:
        sender.wait_for(20)
        window_start = time.monotonic()
        later = datetime.now(UTC) + timedelta(days=20)
        made = partitions.ensure_partitions(db, now=later, days_ahead=9)
        days = [moscow_date(later) + timedelta(days=n) for n in range(10)]
        for day in days:
            with db.unit_of_work() as session:
                partitions.drop_partition(session, day, now=later)
        window_end = time.monotonic()
        sender.wait_for(len(sender.answers) + 20)
    finally:
        sender.stop.set()
        sender.thread.join(timeout=30)
        db.dispose()
    assert made["partitions_created"] == 10
    statuses = {status for _, _, status in sender.answers}
    assert statuses == {200}
    during = [
        seconds
        for started, seconds, _ in sender.answers
        if window_start <= started + seconds and started <= window_end
    ]
    assert during, "no report was answered while the partitions were made"
    print(  # the numbers docs/performance.md quotes
        f"\nDDL window {window_end - window_start:.2f}s, {len(during)} reports answered in it, "
        f"slowest {max(during) * 1000:.0f} ms; slowest overall "
        f"{max(s for _, s, _ in sender.answers) * 1000:.0f} ms of {len(sender.answers)}"
    )
    assert max(during) < SLOWEST_ANSWER_S
