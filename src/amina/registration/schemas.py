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


class ResidenceIn(RequestModel):
    address: Text | None = Field(default=None, max_length=300)
    accommodation: Accommodation
    moved_in_on: date
