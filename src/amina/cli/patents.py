"""`amina patent issue|show|reissue|quote` (api.md, "Added in wave 2", "Patents")."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

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
from amina.patents import service as patents
from amina.patents.schemas import IssuedOut
from amina.rules.patents import Region

patent_app = typer.Typer(help="Work patents and their monthly advance.", no_args_is_help=True)

PersonOption = Annotated[str, typer.Option("--person", help="The person's id.")]


def _person_id(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise InvalidInput("--person must be a person id", code="invalid_person_id") from None


@patent_app.command("issue")
@handles_domain_errors
def patent_issue(
    person: PersonOption,
    series: Annotated[str, typer.Option(help="The patent's series.")],
    number: Annotated[str, typer.Option(help="The patent's number.")],
    issued_on: Annotated[str, typer.Option("--issued-on", help="YYYY-MM-DD.")],
    months: Annotated[int, typer.Option(help="Months already paid (1-12).")],
    inn: Annotated[str, typer.Option(help="The worker's ИНН (12 digits).")],
    region: Annotated[Region, typer.Option()] = Region.MOSCOW,
    profession: Annotated[str | None, typer.Option()] = None,
    employer: Annotated[str | None, typer.Option()] = None,
    as_json: JsonOption = False,
) -> None:
    """Record a patent issued with N months paid; prints {patent_id, valid_through, lapses_at}."""
    with app_context() as context, context.db.unit_of_work() as session:
        patent = patents.issue(
            session,
            now=context.clock.now(),
            settings=context.settings,
            actor=operator(),
            person_id=_person_id(person),
            series=series,
            number=number,
            issued_on=parse_date(issued_on, "--issued-on"),
            months=months,
            inn=inn,
            region=region,
            profession=profession,
            employer=employer,
        )
        out = IssuedOut(
            patent_id=patent.id, valid_through=patent.valid_through, lapses_at=patent.lapses_at
        )
    emit(
        out,
        as_json,
        lambda: stdout.print(f"Patent {out.patent_id}: valid through {out.valid_through}."),
    )


@patent_app.command("show")
@handles_domain_errors
def patent_show(person: PersonOption, as_json: JsonOption = False) -> None:
    """The person's current patent: status, term, payments."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        now = context.clock.now()
        patent = patents.current(session, _person_id(person))
        out = patents.view(session, patent, now=now, settings=context.settings)
    emit(
        out,
        as_json,
        lambda: stdout.print(
            f"{out.series} {out.number}: {out.status}, valid through {out.valid_through} "
            f"({out.months_paid} months paid, {len(out.payments)} payments)"
        ),
    )


@patent_app.command("reissue")
@handles_domain_errors
def patent_reissue(
    person: PersonOption,
    series: Annotated[str, typer.Option(help="The new series.")],
    number: Annotated[str, typer.Option(help="The new number.")],
    months: Annotated[int, typer.Option(help="Months paid on the re-issued patent (1-12).")],
    issued_on: Annotated[
        str | None, typer.Option("--issued-on", help="Default: the day the old term ends.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Re-issue a patent once, after its 12 months, with a new series and number."""
    with app_context() as context, context.db.unit_of_work() as session:
        patent = patents.reissue(
            session,
            now=context.clock.now(),
            settings=context.settings,
            actor=operator(),
            person_id=_person_id(person),
            series=series,
            number=number,
            months=months,
            issued_on=parse_date(issued_on, "--issued-on") if issued_on else None,
        )
        out = IssuedOut(
            patent_id=patent.id, valid_through=patent.valid_through, lapses_at=patent.lapses_at
        )
    emit(out, as_json, lambda: stdout.print(f"Re-issued as {out.patent_id}."))


@patent_app.command("quote")
@handles_domain_errors
def patent_quote(
    region: Annotated[Region, typer.Option()],
    on: Annotated[str, typer.Option("--on", help="The Moscow date of payment, YYYY-MM-DD.")],
    months: Annotated[int, typer.Option(help="Months to pay (1-12).")],
    as_json: JsonOption = False,
) -> None:
    """The amount for N months paid on a date; a year with no rate is an error."""
    with app_context() as context:
        out = patents.quote(
            context.settings, region=region, on=parse_date(on, "--on"), months=months
        )
    emit(out, as_json, lambda: stdout.print(f"{out.amount} ₽ ({out.monthly_amount} ₽ a month)."))
