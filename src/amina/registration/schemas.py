"""Registration and residence API shapes (api.md, "The person's own record")."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from amina.rules.residence import Accommodation
from amina.schemas import LocationIn, RequestModel, Text


class ConsentIn(RequestModel):
    personal_data: bool
    geolocation: bool
    version: Text = Field(min_length=1, max_length=40)


class RegistrationIn(RequestModel):
    consent: ConsentIn
    location: LocationIn


class PlaceIn(RequestModel):
    """Where the residence is: kept sealed, used only to place it in a police district."""

    lat: float = Field(ge=-90, le=90, allow_inf_nan=False, strict=True)
    lon: float = Field(ge=-180, le=180, allow_inf_nan=False, strict=True)


class ResidenceIn(RequestModel):
    address: Text | None = Field(default=None, max_length=300)
    accommodation: Accommodation
    moved_in_on: date
    place: PlaceIn | None = None
