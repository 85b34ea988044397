"""The one place background trackers (OwnTracks over MQTT, Traccar Client) enter the intake.

It calls exactly the public functions the OwnTracks HTTP route calls, so an MQTT message and an
HTTP POST of the same OwnTracks JSON have the same effect, and (device, tst) makes them the same
report: a message redelivered by the broker, or sent both ways, is counted once. When the intake
is rewritten, re-point this module and nothing else.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from amina.auth import owntracks
from amina.config import Settings
from amina.monitoring import intake
from amina.rules.territory import Territory


def as_report(device_id: uuid.UUID, message: dict[str, Any]) -> dict[str, Any]:
    """An OwnTracks location as an Amina LOCATION (as web/routes/owntracks.py builds it)."""
    tst = message.get("tst")
    if not isinstance(tst, int) or isinstance(tst, bool) or not 0 < tst < 2**33:
        return {"invalid": "tst must be a Unix timestamp in seconds"}
    return {
        "id": str(owntracks.report_id(device_id, tst)),
        "lat": message.get("lat"),
        "lon": message.get("lon"),
        "accuracy_m": message.get("acc") or None,
        "recorded_at": datetime.fromtimestamp(tst, tz=UTC).isoformat(),
        "source": "fused",
        "mock": False,
    }


def ingest_location(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    territory: Territory,
    person_id: uuid.UUID,
    device_id: uuid.UUID,
    message: dict[str, Any],
) -> list[str]:
    """Take one OwnTracks location in; returns the refusal codes (empty when accepted)."""
    result = intake.ingest(
        session,
        now=now,
        settings=settings,
        territory=territory,
        person_id=person_id,
        device_id=device_id,
        items=[as_report(device_id, message)],
        owntracks=True,
    )
    return [refused.code for refused in result.rejected]


def ingest_report(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    territory: Territory,
    person_id: uuid.UUID,
    device_id: uuid.UUID,
    report: dict[str, Any],
) -> list[str]:
    """Take one LOCATION in (already in Amina's shape); returns the refusal codes."""
    result = intake.ingest(
        session,
        now=now,
        settings=settings,
        territory=territory,
        person_id=person_id,
        device_id=device_id,
        items=[report],
    )
    return [refused.code for refused in result.rejected]
