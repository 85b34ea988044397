"""Location batches and the monitoring view (api.md: LOCATION, `monitoring`).

One report, `LocationIn`, is in `amina.schemas`: registration takes one too."""

from __future__ import annotations

import uuid
from typing import Any

from pydantic import Field

from amina.schemas import ApiModel, Instant, RequestModel


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
