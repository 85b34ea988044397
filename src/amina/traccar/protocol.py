"""Traccar Client's two wire formats, as an Amina LOCATION.

- OsmAnd query form: `?id=…&lat=…&lon=…&timestamp=…&accuracy=…&batt=…` (GET or POST, or the
  same fields form-encoded in a POST body). `timestamp` is Unix seconds, milliseconds, or an
  ISO 8601 instant, depending on the client's version.
- The newer JSON body: `{"device_id", "location": {"timestamp", "coords": {"latitude",
  "longitude", "accuracy"}, "battery": {…}}}`.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

TRACCAR_NAMESPACE = uuid.UUID("0f4f3c52-6a0e-4d53-9a8e-5d0e6b7b8c21")
MILLISECONDS_FROM = 10**11  # a Unix time above this is in milliseconds


class FormatError(ValueError):
    """Not a Traccar Client report."""


def parse_timestamp(raw: Any) -> datetime:
    if isinstance(raw, bool):
        raise FormatError("timestamp is not a time")
    if isinstance(raw, int | float) or (isinstance(raw, str) and raw.strip().isdigit()):
        value = float(raw)
        if value >= MILLISECONDS_FROM:
            value /= 1000
        if not 0 < value < 2**33:
            raise FormatError("timestamp is out of range")
        return datetime.fromtimestamp(value, tz=UTC)
    if isinstance(raw, str):
        try:
            instant = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
        except ValueError:
            raise FormatError("timestamp is not a Unix time or ISO 8601 instant") from None
        if instant.tzinfo is None:
            raise FormatError("timestamp needs a UTC offset")
        return instant
    raise FormatError("timestamp is missing")


def _number(raw: Any, name: str, *, required: bool = True) -> float | None:
    if raw is None or raw == "":
        if required:
            raise FormatError(f"{name} is missing")
        return None
    try:
        return float(raw)
    except (TypeError, ValueError):
        raise FormatError(f"{name} is not a number") from None


def identifier_of(query: Mapping[str, Any], body: Any) -> str | None:
    if isinstance(body, dict) and isinstance(body.get("device_id"), str):
        return str(body["device_id"])
    value = query.get("id") or query.get("deviceid")
    return str(value) if value else None


def as_report(device_id: uuid.UUID, query: Mapping[str, Any], body: Any) -> dict[str, Any]:
    """One Traccar report as an Amina LOCATION (the intake validates it like any other)."""
    if isinstance(body, dict) and isinstance(body.get("location"), dict):
        location = body["location"]
        coords = location.get("coords") if isinstance(location.get("coords"), dict) else {}
        recorded_at = parse_timestamp(location.get("timestamp"))
        lat = _number(coords.get("latitude"), "latitude")
        lon = _number(coords.get("longitude"), "longitude")
        accuracy = _number(coords.get("accuracy"), "accuracy", required=False)
    else:
        recorded_at = parse_timestamp(query.get("timestamp"))
        lat = _number(query.get("lat"), "lat")
        lon = _number(query.get("lon"), "lon")
        accuracy = _number(query.get("accuracy"), "accuracy", required=False)
    key = f"{device_id}:{recorded_at.isoformat()}"
    return {
        "id": str(uuid.uuid5(TRACCAR_NAMESPACE, key)),
        "lat": lat,
        "lon": lon,
        # Traccar Client may omit accuracy; the intake needs one with coordinates. Unknown
        # accuracy is taken as poor (100 m) rather than refusing the report.
        "accuracy_m": accuracy if accuracy and accuracy > 0 else 100.0,
        "recorded_at": recorded_at.isoformat(),
        "source": "gps",
        "mock": False,
    }
