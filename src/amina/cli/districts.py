"""`amina districts load|list`, `amina officer district`: the police district scope (issue 11)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer

from amina.cli.common import JsonOption, app_context, emit, handles_domain_errors, operator
from amina.districts import placement, service
from amina.officers import service as officers
from amina.rules import districts as rules

districts_app = typer.Typer(
    help="Police districts: their boundaries (an operator-supplied GeoJSON).",
    no_args_is_help=True,
)


def read_districts(
    path: Path, code_property: str, name_property: str, simplify_m: float
) -> list[rules.District]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        parsed = rules.parse(document, code_property=code_property, name_property=name_property)
    except (OSError, json.JSONDecodeError, UnicodeDecodeError, AttributeError) as error:
        raise typer.BadParameter(f"cannot read GeoJSON: {error}", param_hint="FILE") from None
    except rules.DistrictDataError as error:
        raise typer.BadParameter(str(error), param_hint="FILE") from None
    if simplify_m <= 0:
        return parsed
    # About 111 km per degree of latitude; the error this adds is at most simplify_m.
    return [rules.simplified(d, simplify_m / 111_000) for d in parsed]


@districts_app.command("load")
@handles_domain_errors
def districts_load(
    file: Annotated[Path, typer.Argument(help="A GeoJSON FeatureCollection, one per district.")],
    code_property: Annotated[
        str, typer.Option(help="The feature property holding the district's code.")
    ] = "code",
    name_property: Annotated[
        str, typer.Option(help="The feature property holding the district's name.")
    ] = "name",
    simplify_m: Annotated[
        float, typer.Option(help="Simplify outlines to this many metres (0: keep them).")
    ] = 0.0,
    as_json: JsonOption = False,
) -> None:
    """Replace the districts; the worker then places every person again."""
    parsed = read_districts(file, code_property, name_property, simplify_m)
    digest = hashlib.sha256(file.read_bytes()).hexdigest()
    with app_context() as context, context.db.unit_of_work() as session:
        count = placement.load(
            session,
            now=context.clock.now(),
            actor=operator(),
            districts=parsed,
            source=f"{file.name} sha256:{digest}",
        )
    emit({"loaded": count, "codes": [d.code for d in parsed], "sha256": digest}, as_json)


@districts_app.command("list")
def districts_list(as_json: JsonOption = False) -> None:
    """The loaded districts (none: the police scope is off)."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        rows = [{"code": d.code, "name": d.name} for d in service.listed(session)]
    emit(rows, as_json)


def officer_district(
    username: Annotated[str, typer.Argument(help="The officer's username.")],
    district: Annotated[str | None, typer.Option("--set", help="A loaded district's code.")] = None,
    clear: Annotated[bool, typer.Option("--clear", help="Remove the district.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Set (--set CODE) or clear (--clear) an officer's police district."""
    if (district is None) == (not clear):
        raise typer.BadParameter("give --set CODE or --clear", param_hint="--set")
    with app_context() as context, context.db.unit_of_work() as session:
        officer = service.set_officer_district(
            session,
            now=context.clock.now(),
            actor=operator(),
            officer=officers.by_username(session, username),
            district=None if clear else district,
        )
        data = {"username": officer.username, "district": officer.district}
    emit(data, as_json)
