"""Appointments at the MMC (api.md "Appointments"): services and free slots, the person's own
bookings, and the officer's side (arrivals by ticket scan, closures, the day's list)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from fastapi import APIRouter, Query

from amina.arrival import arrive
from amina.audit.service import Actor
from amina.bookings import repo
from amina.bookings import service as bookings
from amina.bookings.catalog import service_of, services_of
from amina.bookings.followup import check_day, close, closure_span
from amina.bookings.models import Booking
from amina.bookings.schemas import (
    ArrivalIn,
    ArrivalOut,
    BookingIn,
    BookingOut,
    BookingsOut,
    ClosureIn,
    ClosureOut,
    DayOut,
    MoveIn,
    ServiceOut,
    ServicesOut,
    SlotOut,
    SlotsOut,
)
from amina.bookings.ticket import qr_svg, read_ticket, ticket_code
from amina.config import LANGUAGES
from amina.context import AppContext
from amina.officers import service as officers
from amina.rules.bookings import ACTIVE
from amina.rules.calendar import moscow_date, moscow_day_span
from amina.web.deps import ContextDep, NowDep, PersonDep, SessionDep
from amina.web.openapi import errors
from amina.web.routes.officer import OfficerDep

router = APIRouter(prefix="/api/v1", tags=["bookings"], responses=errors(401))
officer_router = APIRouter(
    prefix="/api/v1/officer/bookings", tags=["officer"], responses=errors(401, 403)
)


def booking_out(
    context: AppContext, booking: Booking, language: str, *, with_ticket: bool = True
) -> BookingOut:
    service = service_of(context.settings, booking.service)
    length = timedelta(minutes=context.settings.booking_slot_minutes)
    active = with_ticket and booking.status in ACTIVE
    code = ticket_code(context.keys, booking.id) if active else None
    return BookingOut(
        id=booking.id,
        service=booking.service,
        service_name=service.name(language),
        slot_start=booking.slot_start,
        slot_end=booking.slot_start + length,
        status=booking.status,
        booked_at=booking.booked_at,
        ended_at=booking.ended_at,
        replaced_by=booking.replaced_by,
        ticket=code,
        qr_svg=qr_svg(code) if code else None,
    )


@router.get(
    "/bookings/services",
    response_model=ServicesOut,
    summary="The MMC's services, with the documents to bring",
)
def list_services(
    person: PersonDep,
    context: ContextDep,
    lang: str | None = Query(default=None, max_length=5, description="One of the app's languages"),
) -> ServicesOut:
    language = lang if lang in LANGUAGES else person.language
    return ServicesOut(
        language=language,
        items=[
            ServiceOut(
                code=s.code,
                name=s.name(language),
                duration_minutes=s.duration_minutes,
                capacity=s.capacity,
                documents=s.checklist(language),
            )
            for s in services_of(context.settings).values()
        ],
    )


@router.get(
    "/bookings/slots",
    response_model=SlotsOut,
    summary="Free capacity of a service's slots, from a date to the last bookable day",
    responses=errors(422),
)
def list_slots(
    person: PersonDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    service: str = Query(min_length=1, max_length=40),
    first: date | None = Query(default=None, alias="from"),
) -> SlotsOut:
    days = bookings.free_slots(
        session,
        now=now,
        settings=context.settings,
        service_code=service,
        first_day=first or moscow_date(now),
    )
    return SlotsOut(
        service=service,
        days=[
            DayOut(
                date=d.day,
                slots=[
                    SlotOut(start=s.start, end=s.end, capacity=s.capacity, free=s.free)
                    for s in d.slots
                ],
            )
            for d in days
        ],
    )


@router.post(
    "/me/bookings",
    status_code=201,
    response_model=BookingOut,
    summary="Book a slot (409 slot_full when it has no room)",
    responses=errors(409, 422),
)
def create_booking(
    body: BookingIn, person: PersonDep, session: SessionDep, context: ContextDep, now: NowDep
) -> BookingOut:
    booking = bookings.book(
        session,
        now=now,
        settings=context.settings,
        person_id=person.id,
        service_code=body.service,
        slot_start=body.slot_start,
        actor=Actor.person(person.id),
    )
    return booking_out(context, booking, person.language)


@router.get("/me/bookings", response_model=BookingsOut, summary="My bookings, latest slot first")
def my_bookings(person: PersonDep, session: SessionDep, context: ContextDep) -> BookingsOut:
    return BookingsOut(
        items=[
            booking_out(context, b, person.language) for b in repo.bookings_of(session, person.id)
        ]
    )


@router.delete(
    "/me/bookings/{booking_id}",
    response_model=BookingOut,
    summary="Cancel a booking (until its start)",
    responses=errors(404, 409),
)
def cancel_booking(
    booking_id: uuid.UUID, person: PersonDep, session: SessionDep, context: ContextDep, now: NowDep
) -> BookingOut:
    booking = bookings.cancel(
        session, now=now, person_id=person.id, booking_id=booking_id, actor=Actor.person(person.id)
    )
    return booking_out(context, booking, person.language)


@router.post(
    "/me/bookings/{booking_id}/move",
    status_code=201,
    response_model=BookingOut,
    summary="Move a booking: cancel it and book another slot, atomically",
    responses=errors(404, 409, 422),
)
def move_booking(
    booking_id: uuid.UUID,
    body: MoveIn,
    person: PersonDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> BookingOut:
    booking = bookings.move(
        session,
        now=now,
        settings=context.settings,
        person_id=person.id,
        booking_id=booking_id,
        slot_start=body.slot_start,
        actor=Actor.person(person.id),
    )
    return booking_out(context, booking, person.language)


@officer_router.post(
    "/arrivals",
    response_model=ArrivalOut,
    summary="The scanned ticket: the person arrived (counts as an in-person check-in)",
    responses=errors(404, 409, 422),
)
def record_arrival(
    body: ArrivalIn, officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> ArrivalOut:
    officers.require(officer, "booking.arrive")
    booking_id = body.booking_id or read_ticket(context.keys, body.ticket or "")
    arrival = arrive(
        session,
        now=now,
        settings=context.settings,
        booking_id=booking_id,
        actor=Actor.officer(officer.id),
        officer_id=officer.id,
    )
    return ArrivalOut(
        booking_id=arrival.booking.id,
        person_id=arrival.booking.person_id,
        status=arrival.booking.status,
        checkin_id=arrival.checkin.id,
        checked_in_at=arrival.checkin.at,
    )


@officer_router.post(
    "/closures",
    status_code=201,
    response_model=ClosureOut,
    summary="Close a day or part of one; the people booked are told and offered other slots",
    responses=errors(422),
)
def add_closure(
    body: ClosureIn, officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> ClosureOut:
    officers.require(officer, "booking.close")
    starts_at, ends_at = closure_span(body.date, body.from_time, body.to_time)
    result = close(
        session,
        now=now,
        settings=context.settings,
        actor=Actor.officer(officer.id),
        starts_at=starts_at,
        ends_at=ends_at,
        reason=body.reason,
        service_code=body.service,
        officer_id=officer.id,
    )
    c = result.closure
    return ClosureOut(
        id=c.id,
        starts_at=c.starts_at,
        ends_at=c.ends_at,
        service=c.service,
        reason=c.reason,
        affected=len(result.affected),
    )


@officer_router.get(
    "",
    response_model=BookingsOut,
    summary="The bookings of one Moscow day, earliest first",
)
def day_bookings(
    officer: OfficerDep, session: SessionDep, context: ContextDep, day: date = Query(alias="date")
) -> BookingsOut:
    officers.require(officer, "booking.view")
    since, until = moscow_day_span(check_day(day))
    found = repo.on_day(session, since=since, until=until)
    return BookingsOut(items=[booking_out(context, b, "ru", with_ticket=False) for b in found])
