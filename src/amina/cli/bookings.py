"""`amina booking arrive`, `amina booking close`, `amina booking list`."""

from __future__ import annotations

import uuid
from datetime import time
from typing import Annotated

import typer

from amina.arrival import arrive
from amina.bookings import repo
from amina.bookings.followup import check_day, close, closure_span
from amina.bookings.ticket import read_ticket
from amina.cli.common import (
    JsonOption,
    app_context,
    emit,
    handles_domain_errors,
    operator,
    parse_date,
    stdout,
)
from amina.errors import InvalidInput
from amina.rules.calendar import moscow_day_span

booking_app = typer.Typer(help="Appointments at the MMC.", no_args_is_help=True)


def _time(raw: str | None, option: str) -> time | None:
    if raw is None:
        return None
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise typer.BadParameter(f"{raw!r} is not an HH:MM time", param_hint=option) from None


@booking_app.command("arrive")
@handles_domain_errors
def booking_arrive(
    booking: Annotated[str | None, typer.Option("--booking", help="The booking id.")] = None,
    ticket: Annotated[str | None, typer.Option(help="Or the scanned ticket text.")] = None,
    as_json: JsonOption = False,
) -> None:
    """An officer marks the arrival; it counts as an in-person check-in."""
    if (booking is None) == (ticket is None):
        raise typer.BadParameter("give --booking or --ticket", param_hint="--booking")
    with app_context() as context, context.db.unit_of_work() as session:
        if booking is not None:
            try:
                booking_id = uuid.UUID(booking)
            except ValueError:
                raise InvalidInput("not a booking id", code="invalid_booking_id") from None
        else:
            booking_id = read_ticket(context.keys, ticket or "")
        arrival = arrive(
            session,
            now=context.clock.now(),
            settings=context.settings,
            booking_id=booking_id,
            actor=operator(),
        )
        data = {
            "booking_id": str(arrival.booking.id),
            "person_id": str(arrival.booking.person_id),
            "status": arrival.booking.status.value,
            "checkin_id": str(arrival.checkin.id),
            "checked_in_at": arrival.checkin.at,
        }
    emit(
        data,
        as_json,
        lambda: stdout.print(f"Arrived; check-in recorded at {data['checked_in_at']}."),
    )


@booking_app.command("close")
@handles_domain_errors
def booking_close(
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (Moscow).")],
    reason: Annotated[str, typer.Option(help="Why the MMC closes.")],
    starts: Annotated[str | None, typer.Option("--from", help="HH:MM; default: opening.")] = None,
    ends: Annotated[str | None, typer.Option("--to", help="HH:MM; default: end of day.")] = None,
    service: Annotated[str | None, typer.Option(help="Only this service.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Close a day or part of one; the people booked are told and offered the nearest slots."""
    starts_at, ends_at = closure_span(
        parse_date(day, "--date"), _time(starts, "--from"), _time(ends, "--to")
    )
    with app_context() as context, context.db.unit_of_work() as session:
        result = close(
            session,
            now=context.clock.now(),
            settings=context.settings,
            actor=operator(),
            starts_at=starts_at,
            ends_at=ends_at,
            reason=reason,
            service_code=service,
        )
        affected = [str(b.id) for b in result.affected]
        data = {
            "closure_id": str(result.closure.id),
            "starts_at": starts_at,
            "ends_at": ends_at,
            "service": service,
            "affected": affected,
        }
    emit(data, as_json, lambda: stdout.print(f"Closed; {len(affected)} bookings told."))


@booking_app.command("list")
@handles_domain_errors
def booking_list(
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD (Moscow).")],
    as_json: JsonOption = False,
) -> None:
    """The bookings of one Moscow day."""
    since, until = moscow_day_span(check_day(parse_date(day, "--date")))
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        rows = [
            {
                "id": str(b.id),
                "person_id": str(b.person_id),
                "service": b.service,
                "slot_start": b.slot_start,
                "status": b.status.value,
            }
            for b in repo.on_day(session, since=since, until=until)
        ]
    emit(rows, as_json)
