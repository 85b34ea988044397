"""Integration event shapes (api.md, "Integrations")."""

from __future__ import annotations

import uuid

from pydantic import AwareDatetime, Field

from amina.integrations.models import EventOutcome, EventType
from amina.schemas import ApiModel, RequestModel, Text


class CardRef(RequestModel):
    card_number: Text = Field(min_length=1, max_length=40)


class PassportRef(RequestModel):
    citizenship: Text = Field(min_length=2, max_length=2)
    passport_number: Text = Field(min_length=1, max_length=40)


class EventIn(RequestModel):
    type: EventType
    source: Text = Field(min_length=1, max_length=100)
    source_ref: Text = Field(min_length=1, max_length=200)
    occurred_at: AwareDatetime
    person: CardRef | PassportRef


class EventAccepted(ApiModel):
    id: uuid.UUID
    outcome: EventOutcome
    duplicate: bool
