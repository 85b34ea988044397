"""Location reports and the monitoring view (api.md: LOCATION, `monitoring`)."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from amina.rules.reports import Fix
from amina.schemas import ApiModel, Instant, RequestModel


class LocationIn(RequestModel):
    """One report. `lat` and `lon` both null make it a heartbeat (alive, location off)."""

    id: uuid.UUID
    # Strict: a number is a JSON number (`true` and `"55.7"` are refused), a flag a JSON boolean.
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False, strict=True)
    accuracy_m: float | None = Field(
        default=None, gt=0, le=1_000_000, allow_inf_nan=False, strict=True
    )
    recorded_at: AwareDatetime
    source: Literal["gps", "network", "fused", "manual"] = "fused"
    mock: bool = Field(default=False, strict=True)

    @model_validator(mode="after")
    def _coordinates_together(self) -> LocationIn:
        if (self.lat is None) != (self.lon is None):
            raise ValueError("lat and lon are both given, or both null for a heartbeat")
        if self.lat is not None and self.accuracy_m is None:
            raise ValueError("accuracy_m is required with coordinates")
        return self

    @property
    def is_heartbeat(self) -> bool:
        return self.lat is None

    def fix(self) -> Fix | None:
        if self.lat is None or self.lon is None:
            return None
        return Fix(self.lat, self.lon, self.recorded_at, self.accuracy_m or 0.0)


class LocationBatchIn(RequestModel):
    # Items are validated one by one, so that one bad report does not sink the batch.
    reports: list[Any] = Field(
        min_length=1,
        max_length=500,
        json_schema_extra={"items": {"$ref": "#/components/schemas/LocationIn"}},
    )


class ConnectivityOutageOut(ApiModel):
    """A mobile-internet shutdown that covers the person and moves their deadlines (§9)."""

    starts_at: Instant
    ends_at: Instant
    reason: str
    district: str | None = None


class MonitoringOut(ApiModel):
    last_monitoring_at: Instant | None = None
    reminder_at: Instant | None = None
    final_warning_at: Instant | None = None
    deregistration_at: Instant | None = None
    # Why the deadlines are later than the calendar alone would put them.
    connectivity_outages: list[ConnectivityOutageOut] = Field(default_factory=list)


class RejectedOut(ApiModel):
    id: str | None
    code: str
    message: str


class IntakeOut(ApiModel):
    accepted: list[uuid.UUID]
    duplicates: list[uuid.UUID]
    rejected: list[RejectedOut]
    monitoring: MonitoringOut
