"""API shapes for connectivity outages (api.md, "Background trackers and shutdowns")."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from pydantic import AwareDatetime, Field, model_validator

from amina.connectivity.models import DeclaredBy
from amina.schemas import ApiModel, Instant, RequestModel


class AreaOutageIn(RequestModel):
    """An officer's declaration: a GeoJSON geometry, or a shipped district's id."""

    area: dict[str, Any] | None = None
    district: str | None = Field(default=None, max_length=100)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: str = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_area(self) -> AreaOutageIn:
        if (self.area is None) == (self.district is None):
            raise ValueError("give either area (GeoJSON) or district")
        return self


class ConnectivityOutageEventIn(RequestModel):
    """The integration event (the telecom regulator's system), idempotent by source_ref."""

    type: Literal["connectivity_outage"]
    source: str = Field(min_length=1, max_length=100)
    source_ref: str = Field(min_length=1, max_length=200)
    area: dict[str, Any]
    starts_at: AwareDatetime = Field(alias="from")
    ends_at: AwareDatetime = Field(alias="to")
    reason: str = Field(default="mobile internet shutdown", min_length=1, max_length=500)


class AreaOutageOut(ApiModel):
    id: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    reason: str
    district: str | None
    declared_by: DeclaredBy
