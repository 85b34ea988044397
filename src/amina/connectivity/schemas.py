"""API shapes for connectivity outages (api.md, "Background trackers and shutdowns")."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, AwareDatetime, Field, model_validator

from amina.connectivity.models import DeclaredBy
from amina.schemas import ApiModel, Instant, Prose, RequestModel, Text, clean_text


def _clean_strings(value: Any) -> Any:
    """Every string anywhere in a GeoJSON geometry passes the shared text rule: it is stored as
    JSON, and PostgreSQL refuses NUL there."""
    if isinstance(value, str):
        clean_text(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean_strings(key)
            _clean_strings(item)
    elif isinstance(value, list):
        for item in value:
            _clean_strings(item)
    return value


# A GeoJSON geometry as sent: shape is checked by the rules; text in it by the shared rule.
Geometry = Annotated[dict[Text, Any], AfterValidator(_clean_strings)]


class AreaOutageIn(RequestModel):
    """An officer's declaration: a GeoJSON geometry, or a shipped district's id."""

    area: Geometry | None = None
    district: Text | None = Field(default=None, max_length=100)
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Prose = Field(min_length=1, max_length=500)

    @model_validator(mode="after")
    def _one_area(self) -> AreaOutageIn:
        if (self.area is None) == (self.district is None):
            raise ValueError("give either area (GeoJSON) or district")
        return self


class ConnectivityOutageEventIn(RequestModel):
    """The integration event (the telecom regulator's system), idempotent by source_ref."""

    type: Literal["connectivity_outage"]
    source: Text = Field(min_length=1, max_length=100)
    source_ref: Text = Field(min_length=1, max_length=200)
    area: Geometry
    starts_at: AwareDatetime = Field(alias="from")
    ends_at: AwareDatetime = Field(alias="to")
    reason: Prose = Field(default="mobile internet shutdown", min_length=1, max_length=500)


class AreaOutageOut(ApiModel):
    id: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    reason: str
    district: str | None
    declared_by: DeclaredBy
