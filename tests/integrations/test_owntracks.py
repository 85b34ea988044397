"""OwnTracks HTTP mode (issue 3): credentials, configuration, idempotent reports."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.clock import FixedClock
from amina.db import Database
from amina.monitoring.models import LocationReport, ReportSource
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def basic(username: str, password: str) -> dict[str, str]:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def test_owntracks_reports_count_once(
    registered: Registered, client: TestClient, clock: FixedClock, db: Database
) -> None:
    _, migrant = registered
    created = client.post("/api/v1/me/devices/owntracks", headers=migrant.auth)
    assert created.status_code == 201
    setup = created.json()
    assert setup["config"]["mode"] == 3 and setup["config"]["url"].endswith("/owntracks/pub")
    assert setup["config_url"].startswith("owntracks:///config?inline=")
    inline = setup["config_url"].split("inline=", 1)[1]
    assert json.loads(base64.b64decode(inline))["password"] == setup["password"]
    assert setup["qr_svg"].startswith("<svg")
    auth = basic(setup["username"], setup["password"])
    tst = int((clock.now() + timedelta(minutes=1)).timestamp())
    message: dict[str, Any] = {
        "_type": "location",
        "lat": 55.75,
        "lon": 37.61,
        "tst": tst,
        "acc": 12,
        "batt": 80,
    }
    for _ in range(2):  # OwnTracks resends when it is unsure: one report is kept
        answer = client.post("/owntracks/pub", json=message, headers=auth)
        assert answer.status_code == 200 and answer.json() == []
    with db.unit_of_work(readonly=True) as session:
        rows = session.scalars(
            select(LocationReport).where(LocationReport.source == ReportSource.OWNTRACKS)
        ).all()
    assert len(rows) == 1 and rows[0].counted
    assert migrant.me()["monitoring"]["last_monitoring_at"].startswith("2026-11-20T10:01")


def test_owntracks_refusals(
    registered: Registered, client: TestClient, clock: FixedClock, db: Database
) -> None:
    _, migrant = registered
    setup = client.post("/api/v1/me/devices/owntracks", headers=migrant.auth).json()
    auth = basic(setup["username"], setup["password"])
    assert (
        client.post(
            "/owntracks/pub", json={"_type": "location"}, headers=basic(setup["username"], "wrong")
        ).status_code
        == 401
    )
    assert client.post("/owntracks/pub", json={"_type": "location"}).status_code == 401
    # Other message types are accepted and ignored; refused reports still answer [] so that
    # OwnTracks does not resend them for ever.
    assert client.post("/owntracks/pub", json={"_type": "transition"}, headers=auth).json() == []
    stale = int((clock.now() - timedelta(days=40)).timestamp())
    assert (
        client.post(
            "/owntracks/pub",
            headers=auth,
            json={"_type": "location", "lat": 55.7, "lon": 37.6, "tst": stale, "acc": 5},
        ).json()
        == []
    )
    assert (
        client.post(
            "/owntracks/pub", headers=auth, json={"_type": "location", "tst": "soon"}
        ).json()
        == []
    )
    malformed = client.post(
        "/owntracks/pub", headers={**auth, "Content-Type": "application/json"}, content=b"{not json"
    )
    assert malformed.status_code == 400
    with db.unit_of_work(readonly=True) as session:
        assert (
            session.scalars(
                select(LocationReport).where(LocationReport.source == ReportSource.OWNTRACKS)
            ).all()
            == []
        )
