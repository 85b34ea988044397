"""API shapes of appointments (api.md, "Added in wave 2" → "Appointments")."""

from __future__ import annotations

import uuid
from datetime import date, time

from pydantic import AwareDatetime, Field, model_validator

from amina.rules.bookings import BookingStatus
from amina.schemas import ApiModel, Instant, Prose, RequestModel, Text


class ServiceOut(ApiModel):
    code: str
    name: str
    duration_minutes: int
    capacity: int
    documents: list[str]


class ServicesOut(ApiModel):
    language: str
    items: list[ServiceOut]


class SlotOut(ApiModel):
    start: Instant
    end: Instant
    capacity: int
    free: int


class DayOut(ApiModel):
    date: date
    slots: list[SlotOut]


class SlotsOut(ApiModel):
    service: str
    days: list[DayOut]


class BookingIn(RequestModel):
    service: Text = Field(min_length=1, max_length=40)
    slot_start: AwareDatetime


class MoveIn(RequestModel):
    slot_start: AwareDatetime


class BookingOut(ApiModel):
    id: uuid.UUID
    service: str
    service_name: str
    slot_start: Instant
    slot_end: Instant
    status: BookingStatus
    booked_at: Instant
    ended_at: Instant | None
    replaced_by: uuid.UUID | None
    # The ticket (and its QR) while the booking is active; null once it is over.
    ticket: str | None
    qr_svg: str | None


class BookingsOut(ApiModel):
    items: list[BookingOut]


class ClosureIn(RequestModel):
    date: date
    from_time: time | None = Field(default=None, alias="from")
    to_time: time | None = Field(default=None, alias="to")
    service: Text | None = Field(default=None, max_length=40)
    reason: Prose = Field(min_length=1, max_length=500)


class ClosureOut(ApiModel):
    id: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    service: str | None
    reason: str
    affected: int


class ArrivalIn(RequestModel):
    ticket: Text | None = Field(default=None, max_length=200)
    booking_id: uuid.UUID | None = None

    @model_validator(mode="after")
    def _one_of(self) -> ArrivalIn:
        if (self.ticket is None) == (self.booking_id is None):
            raise ValueError("give either the scanned ticket or the booking id")
        return self


class ArrivalOut(ApiModel):
    booking_id: uuid.UUID
    person_id: uuid.UUID
    status: BookingStatus
    checkin_id: uuid.UUID
    checked_in_at: Instant
