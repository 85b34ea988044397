"""Types shared by the API shapes of every feature, and the shapes more than one feature takes
(a location report: monitoring's intake, and registration's first report)."""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    model_validator,
)

from amina.rules.calendar import MOSCOW
from amina.rules.reports import as_utc


def moscow_rfc3339(value: datetime) -> str:
    return value.astimezone(MOSCOW).isoformat()


# An instant, rendered in Moscow time with its offset ("2026-01-15T00:00:00+03:00").
Instant = Annotated[AwareDatetime, PlainSerializer(moscow_rfc3339, return_type=str)]


# Control characters (NUL included: PostgreSQL cannot store it) and lone surrogates (they cannot
# be encoded at all). Prose may keep line breaks and tabs; nothing else in category C*c/Cs.
# One compiled scan per string: a loop over the characters was most of a 100-report batch's CPU.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_IN_PROSE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")


def has_control(value: str, *, multiline: bool = False) -> bool:
    """Whether `value` holds a character of category Cc or Cs (prose may keep \\n and \\t)."""
    return (_CONTROL_IN_PROSE if multiline else _CONTROL).search(value) is not None


def clean_text(value: object, *, multiline: bool = False) -> object:
    """Every text field of every request passes here: NFC first (so that the length limit is
    checked on what will be stored), then NUL and other control characters are refused."""
    if not isinstance(value, str):
        return value  # pydantic's own str validation refuses it
    value = unicodedata.normalize("NFC", value)
    if has_control(value, multiline=multiline):
        raise ValueError("must not contain NUL or other control characters")
    return value


def _clean_prose(value: object) -> object:
    return clean_text(value, multiline=True)


# An instant a client sent, held in UTC from validation on: pydantic keeps the offset it was
# written with (its own tzinfo type), and every comparison, sort and subtraction against another
# tzinfo then asks both sides for their utcoffset. Same instant, so nothing stored changes.
UtcInstant = Annotated[AwareDatetime, AfterValidator(as_utc)]

# One line of text: a name, a version, an address, a reference. Give it a max_length.
Text = Annotated[str, BeforeValidator(clean_text)]
# Free text an officer writes (a reason, a basis): line breaks and tabs allowed.
Prose = Annotated[str, BeforeValidator(_clean_prose)]


class ApiModel(BaseModel):
    """Response shapes: built from ORM rows by attribute."""

    model_config = ConfigDict(from_attributes=True)


class RequestModel(BaseModel):
    """Request bodies: unknown fields are refused, so a typo is an error, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


class LocationIn(RequestModel):
    """One report. `lat` and `lon` both null make it a heartbeat (alive, location off)."""

    id: uuid.UUID
    # Strict: a number is a JSON number (`true` and `"55.7"` are refused), a flag a JSON boolean.
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False, strict=True)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False, strict=True)
    accuracy_m: float | None = Field(
        default=None, gt=0, le=1_000_000, allow_inf_nan=False, strict=True
    )
    recorded_at: UtcInstant
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
