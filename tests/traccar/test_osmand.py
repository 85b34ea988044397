"""Traccar Client (OsmAnd protocol): query and JSON forms, once each, a revoked id refused."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.clock import FixedClock
from amina.db import Database
from amina.monitoring.models import LocationReport
from amina.traccar.models import TraccarDevice
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def traccar_reports(db: Database) -> list[LocationReport]:
    with db.unit_of_work(readonly=True) as session:
        devices = select(TraccarDevice.device_id)
        return list(
            session.scalars(select(LocationReport).where(LocationReport.device_id.in_(devices)))
        )


def test_traccar_client_reports_in_both_formats(
    registered: Registered, client: TestClient, clock: FixedClock, db: Database
) -> None:
    _, migrant = registered
    created = client.post("/api/v1/me/devices/traccar", headers=migrant.auth)
    assert created.status_code == 201, created.text
    setup = created.json()
    assert setup["server_url"].endswith("/osmand") and setup["qr_svg"].startswith("<svg")
    device_id = setup["device_id"]
    assert len(device_id) >= 40
    with db.unit_of_work(readonly=True) as session:
        stored = session.scalars(select(TraccarDevice.identifier_hash)).all()
    assert device_id not in stored  # only a keyed hash is kept

    tst = int((clock.now() + timedelta(minutes=1)).timestamp())
    query = {"id": device_id, "lat": 55.75, "lon": 37.61, "timestamp": tst, "accuracy": 12}
    assert client.get("/osmand", params={**query, "batt": 80}).status_code == 200
    assert client.post("/osmand", params=query).status_code == 200  # a resend: one report
    form = {**query, "timestamp": str((tst + 60) * 1000)}  # milliseconds, form-encoded
    assert client.post("/osmand", data=form).status_code == 200
    body = {
        "device_id": device_id,
        "location": {
            "timestamp": (clock.now() + timedelta(minutes=3)).isoformat(),
            "coords": {"latitude": 55.751, "longitude": 37.612, "accuracy": 8},
            "battery": {"level": 0.7},
        },
    }
    assert client.post("/osmand", json=body).status_code == 200
    assert len(traccar_reports(db)) == 3
    assert migrant.me()["monitoring"]["last_monitoring_at"].startswith("2026-11-20T10:03")

    bad = client.get("/osmand", params={**query, "lat": "north"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_report"
    stale = client.get("/osmand", params={**query, "timestamp": tst - 40 * 86400})
    assert stale.status_code == 422 and stale.json()["error"]["code"] == "too_old"

    revoked = client.delete(f"/api/v1/me/devices/traccar/{setup['id']}", headers=migrant.auth)
    assert revoked.status_code == 204
    later = {**query, "timestamp": tst + 240}
    refused = client.get("/osmand", params=later)
    assert refused.status_code == 401 and refused.json()["error"]["code"] == "invalid_device_id"
    assert len(traccar_reports(db)) == 3
    assert client.get("/osmand", params={"lat": 1}).status_code == 401
    assert client.get("/osmand", params={**query, "id": "am" + "0" * 40}).status_code == 401
