"""Sign-in API shapes (api.md, "Sign in")."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from pydantic import Field

from amina.auth.models import Platform
from amina.schemas import ApiModel, Instant, RequestModel, Text


class CardChallengeIn(RequestModel):
    method: Literal["card"]
    card_number: Text = Field(min_length=1, max_length=40)
    birth_date: date


class PassportChallengeIn(RequestModel):
    method: Literal["passport"]
    citizenship: Text = Field(min_length=2, max_length=2)
    passport_number: Text = Field(min_length=1, max_length=40)
    birth_date: date


ChallengeIn = Annotated[CardChallengeIn | PassportChallengeIn, Field(discriminator="method")]


class ChallengeOut(ApiModel):
    challenge_id: uuid.UUID
    expires_at: Instant
    delivery: Literal["sms"] = "sms"
    phone_hint: str


class DeviceIn(RequestModel):
    public_key: Text = Field(min_length=1, max_length=100)
    platform: Platform
    model: Text | None = Field(default=None, max_length=100)
    app_version: Text | None = Field(default=None, max_length=40)


class SessionIn(RequestModel):
    challenge_id: uuid.UUID
    code: Text = Field(pattern=r"^[0-9]{6}$")
    device: DeviceIn


class RefreshIn(RequestModel):
    refresh_token: Text = Field(min_length=1, max_length=200)


class TokensOut(ApiModel):
    access_token: str
    refresh_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int
    person_id: uuid.UUID
    device_id: uuid.UUID
