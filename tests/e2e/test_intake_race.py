"""Two processes take one person's reports at the same moment (PostgreSQL).

Each intake below has its own connection pool and group-commit writer, as two `amina serve`
processes have. Process A has stored a report at 10:05 and not yet committed when process B
gets one from 10:04:59. B must not read the monitoring state from before A's commit: the person's
monitoring row is locked for the write, so B waits, sees 10:05, and its report does not count
(it is stored, and moves nothing). Without the lock B would flag its report as counted.
"""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select

from amina.auth.cache import KnownDevice
from amina.auth.models import AuthSession, Platform
from amina.config import Settings
from amina.context import AppContext
from amina.monitoring.models import LocationReport, MonitoringState
from tests.e2e.test_durability import sign_in
from tests.support.server import LiveServer

pytestmark = [pytest.mark.server, pytest.mark.slow]


def test_a_report_racing_a_later_one_does_not_count(live_server: LiveServer) -> None:
    if live_server.database_url.startswith("sqlite"):
        pytest.skip("SQLite has one writer, in one process: nothing to race")
    with httpx.Client(base_url=live_server.base_url, timeout=30) as http:
        migrant = sign_in(live_server, http)
    settings = Settings(database_url=live_server.database_url, data_dir=live_server.data_dir)
    a, b = (AppContext.from_settings(settings) for _ in range(2))
    person_id = uuid.UUID(migrant.person_id)
    with a.db.unit_of_work(readonly=True) as session:
        session_id = session.scalars(
            select(AuthSession.id).where(AuthSession.person_id == person_id)
        ).first()
    device = KnownDevice(person_id, uuid.UUID(migrant.device_id), session_id, None, Platform.WEB)
    now = datetime.now(UTC)
    # Both later than the report made at registration, a moment ago.
    later, earlier = (migrant.location(recorded_at=now - timedelta(milliseconds=m)) for m in (1, 2))

    b_done = threading.Event()
    b_result: list[object] = []

    def process_b() -> None:
        b_result.append(b.intake.submit_sync(device, [earlier], now=now))
        b_done.set()

    with a.db.unit_of_work() as session:  # process A's group, open until the end of the block
        a.intake.store.write_one(session, a.intake.prepare_write(device, [later], now))
        racer = threading.Thread(target=process_b)
        racer.start()
        # B is held at the locked read while A's transaction is open.
        assert not b_done.wait(1.0)
    racer.join(30)
    try:
        assert b_done.is_set() and b_result
        with a.db.unit_of_work(readonly=True) as session:
            stored = dict(
                session.execute(
                    select(LocationReport.client_id, LocationReport.counted).where(
                        LocationReport.person_id == person_id
                    )
                ).all()
            )
            last = session.get_one(MonitoringState, person_id).last_monitoring_at
    finally:
        for context in (a, b):  # no connection left for the garbage collector
            context.intake.close()
            context.db.dispose()
    assert stored[uuid.UUID(later["id"])] is True
    assert stored[uuid.UUID(earlier["id"])] is False
    assert (
        last is not None
        and last.isoformat() == datetime.fromisoformat(later["recorded_at"]).isoformat()
    )
