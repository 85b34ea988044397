"""Durability (issue 3): kill -9 the server in the middle of a report stream; after a restart
every id the client saw acknowledged is stored, exactly once."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from amina.db import make_engine
from amina.monitoring.models import LocationReport
from tests.support.migrant import Migrant
from tests.support.server import LiveServer

pytestmark = [pytest.mark.server, pytest.mark.slow]


def sign_in(server: LiveServer, http: httpx.Client) -> Migrant:
    person_id = server.cli_json(
        "person",
        "add",
        "--surname",
        "Asanov",
        "--given-names",
        "Bakyt",
        "--birth-date",
        "2001-01-30",
        "--citizenship",
        "KG",
        "--passport",
        "AC1234567",
        "--phone",
        "+996700112233",
        "--purpose",
        "work",
        "--entry-date",
        "2026-08-20",
    )["person_id"]
    card = server.cli_json("card", "issue", "--person", person_id)["card_number"]
    migrant = Migrant(
        http,
        latest_sms=lambda p: server.cli_json("sms", "list", "--phone", p)[0]["text"],
        now=lambda: datetime.now(UTC),
        phone="+996700112233",
    )
    migrant.sign_in(card, "2001-01-30")
    assert migrant.register().status_code == 201
    return migrant


def test_acknowledged_reports_survive_sigkill(live_server: LiveServer, live_url: str) -> None:
    acknowledged: set[str] = set()
    sent: list[dict[str, Any]] = []
    lock = threading.Lock()
    with httpx.Client(base_url=live_server.base_url, timeout=5) as http:
        migrant = sign_in(live_server, http)
        stop = threading.Event()

        def stream() -> None:
            with httpx.Client(base_url=live_server.base_url, timeout=5) as own:
                phone = Migrant(own, latest_sms=lambda _: "", now=migrant.now, phone="")
                phone.key, phone.access_token = migrant.key, migrant.access_token
                while not stop.is_set():
                    batch = [phone.location(ago=timedelta(seconds=n)) for n in range(20)]
                    with lock:
                        sent.extend(batch)
                    try:
                        response = phone.report(*batch)
                    except httpx.HTTPError:
                        continue  # in flight when the server died: not acknowledged
                    if response.status_code == 200:
                        body = response.json()
                        with lock:
                            acknowledged.update(body["accepted"] + body["duplicates"])

        streams = [threading.Thread(target=stream) for _ in range(3)]
        for thread in streams:
            thread.start()
        time.sleep(1.5)
        live_server.kill()  # SIGKILL mid-stream
        time.sleep(0.3)
        stop.set()
        for thread in streams:
            thread.join()

    assert len(acknowledged) >= 20, "the stream should have been acknowledged before the kill"
    live_server.start()  # the same database, after a crash
    engine = make_engine(live_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(LocationReport.client_id, func.count()).group_by(LocationReport.client_id)
            ).all()
    finally:
        engine.dispose()
    stored = {str(client_id): count for client_id, count in rows}
    missing = acknowledged - stored.keys()
    assert not missing, f"{len(missing)} acknowledged reports were lost"
    assert all(stored[i] == 1 for i in acknowledged)

    # The client resends what it never heard about: each ends up stored exactly once.
    unacknowledged = [r for r in sent if r["id"] not in acknowledged]
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        migrant.http = http
        migrant.refresh_token and migrant.refresh()
        for start in range(0, len(unacknowledged), 500):
            chunk = unacknowledged[start : start + 500]
            body = json.loads(migrant.report(*chunk).text)
            assert len(body["accepted"]) + len(body["duplicates"]) == len(chunk)
    engine = make_engine(live_url)
    try:
        with engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(LocationReport)).scalar()
            distinct = connection.execute(
                select(func.count(func.distinct(LocationReport.client_id)))
            ).scalar()
    finally:
        engine.dispose()
    assert total == distinct == len({r["id"] for r in sent}) + 1  # + the registration's fix
    assert uuid.UUID(next(iter(acknowledged)))
