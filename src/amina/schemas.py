"""Types shared by the API shapes of every feature."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, PlainSerializer

from amina.rules.calendar import MOSCOW


def moscow_rfc3339(value: datetime) -> str:
    return value.astimezone(MOSCOW).isoformat()


# An instant, rendered in Moscow time with its offset ("2026-01-15T00:00:00+03:00").
Instant = Annotated[AwareDatetime, PlainSerializer(moscow_rfc3339, return_type=str)]


class ApiModel(BaseModel):
    """Response shapes: built from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class RequestModel(BaseModel):
    """Request bodies: unknown fields are refused, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")
