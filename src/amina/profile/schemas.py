"""The `/api/v1/me` document (api.md)."""

from __future__ import annotations

import uuid
from datetime import date

from amina.monitoring.schemas import MonitoringOut
from amina.rules.eligibility import Reason, Status
from amina.rules.lifecycle import Ground, RegistrationStatus
from amina.rules.residence import Accommodation
from amina.schemas import ApiModel, Instant


class PersonOut(ApiModel):
    id: uuid.UUID
    surname: str
    given_names: str
    citizenship: str
    birth_date: date


class EligibilityOut(ApiModel):
    status: Status
    reason: Reason
    required_from: date | None


class RegistrationOut(ApiModel):
    id: uuid.UUID
    status: RegistrationStatus
    address: str
    registered_at: Instant
    deregistered_at: Instant | None
    ground: Ground | None
    test_mode: bool


class ResidenceOut(ApiModel):
    address: str | None
    accommodation: Accommodation
    moved_in_on: date
    reported_at: Instant
    reported_late: bool


class ResidenceHistoryOut(ApiModel):
    items: list[ResidenceOut]


class RegistryOut(ApiModel):
    listed: bool
    since: Instant | None = None


class MeDocument(ApiModel):
    person: PersonOut
    eligibility: EligibilityOut
    test_mode: bool
    registration: RegistrationOut | None
    residence: ResidenceOut | None
    monitoring: MonitoringOut
    registry: RegistryOut
    language: str
