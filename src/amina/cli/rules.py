"""`amina rules …`: ask the rules directly, without touching anyone's record."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlalchemy.exc import SQLAlchemyError

from amina.calendar.service import load_calendar
from amina.cli.common import JsonOption, app_context, emit, parse_date, parse_instant, stdout
from amina.policies import deadline_policy, eligibility_policy
from amina.rules.calendar import WorkingCalendar, moscow_date
from amina.rules.deadlines import compute_deadlines
from amina.rules.eligibility import Category, PersonFacts, Purpose, evaluate

app = typer.Typer(help="Ask the rules: deadlines and eligibility.", no_args_is_help=True)


@app.command()
def deadlines(
    last_monitoring: Annotated[
        str, typer.Option("--last-monitoring", help="The last monitoring instant (RFC 3339).")
    ],
    as_json: JsonOption = False,
) -> None:
    """The reminder, final warning and deregistration instants for a last monitoring instant."""
    instant = parse_instant(last_monitoring, "--last-monitoring")
    with app_context() as context:
        settings = context.settings
        try:
            # The calendar as the service keeps it (officers' overrides, outages), if there is
            # a migrated database; the production calendar alone otherwise.
            with context.db.unit_of_work(readonly=True) as session:
                calendar = load_calendar(
                    session, min_available_hours=settings.min_available_hours, since=instant
                )
        except SQLAlchemyError:
            calendar = WorkingCalendar()
        result = compute_deadlines(instant, calendar, deadline_policy(settings))
    data = {
        "last_monitoring_date": result.last_monitoring_date,
        "reminder_at": result.reminder_at,
        "final_warning_at": result.final_warning_at,
        "deregistration_at": result.deregistration_at,
    }

    def human() -> None:
        stdout.print(f"Last monitoring date (Moscow): {result.last_monitoring_date}")
        stdout.print(f"Reminder:        {result.reminder_at:%a %d %b %Y %H:%M %z}")
        stdout.print(f"Final warning:   {result.final_warning_at:%a %d %b %Y %H:%M %z}")
        stdout.print(f"Deregistration:  {result.deregistration_at:%a %d %b %Y %H:%M %z}")

    emit(data, as_json, human)


@app.command()
def eligibility(
    citizenship: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2, e.g. UZ.")],
    birth_date: Annotated[str, typer.Option("--birth-date", help="YYYY-MM-DD.")],
    purpose: Annotated[Purpose, typer.Option(help="Purpose of stay.")],
    entry_date: Annotated[str, typer.Option("--entry-date", help="YYYY-MM-DD.")],
    stay_days: Annotated[int | None, typer.Option("--stay-days", min=1)] = None,
    category: Annotated[Category, typer.Option()] = Category.NONE,
    residence_permit: Annotated[bool, typer.Option("--residence-permit")] = False,
    on: Annotated[str | None, typer.Option(help="The date to judge on (default: today).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Whether someone must take part on a date (rules.md §1)."""
    with app_context() as context:
        day = parse_date(on, "--on") if on else moscow_date(context.clock.now())
        facts = PersonFacts(
            citizenship=citizenship.strip().upper(),
            birth_date=parse_date(birth_date, "--birth-date"),
            purpose=purpose,
            entry_date=parse_date(entry_date, "--entry-date"),
            stay_days=stay_days,
            category=category,
            residence_permit=residence_permit,
        )
        result = evaluate(facts, day, eligibility_policy(context.settings))
    data = {
        "status": result.status.value,
        "reason": result.reason.value,
        "required_from": result.required_from,
    }

    def human() -> None:
        since = f", required from {result.required_from}" if result.required_from else ""
        stdout.print(f"{result.status.value} ({result.reason.value}){since}")

    emit(data, as_json, human)
