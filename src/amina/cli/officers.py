"""`amina officer …`, `amina registry …`, `amina case …`: officers and their decisions."""

from __future__ import annotations

import os
import uuid
from typing import Annotated, Any

import typer
from sqlalchemy.orm import Session

from amina import decisions
from amina.cases import registry
from amina.cases import service as cases
from amina.cases.models import Case, RegistryEntry
from amina.cli.common import (
    JsonOption,
    app_context,
    cli_text,
    emit,
    handles_domain_errors,
    operator,
    stdout,
)
from amina.cli.districts import officer_district
from amina.officers import service as officers
from amina.officers.models import Officer, Role
from amina.rules.lifecycle import CaseKind, CaseOutcome, RegistryStatus

officer_app = typer.Typer(help="Officer accounts.", no_args_is_help=True)
registry_app = typer.Typer(
    help="The registry of controlled persons (four eyes).", no_args_is_help=True
)
case_app = typer.Typer(help="Violation cases and reinstatement reviews.", no_args_is_help=True)

OfficerOption = Annotated[str, typer.Option("--officer", help="The acting officer's username.")]


def _uuid(value: str, option: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise typer.BadParameter("not an id", param_hint=option) from None


def _officer(session: Session, username: str) -> Officer:
    return officers.by_username(session, username)


officer_app.command("district")(handles_domain_errors(officer_district))


@officer_app.command("add")
@handles_domain_errors
def officer_add(
    username: Annotated[str, typer.Option()],
    name: Annotated[str, typer.Option(help="Display name.")],
    role: Annotated[Role, typer.Option()],
    district: Annotated[
        str | None, typer.Option(help="A police district's code (amina districts list).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Create an officer account (password from AMINA_OFFICER_PASSWORD or a prompt)."""
    password = os.environ.get("AMINA_OFFICER_PASSWORD") or typer.prompt(
        "Password", hide_input=True, confirmation_prompt=True
    )
    with app_context() as context, context.db.unit_of_work() as session:
        officer = officers.add_officer(
            session,
            now=context.clock.now(),
            actor=operator(),
            username=cli_text(username, "--username", 64),
            display_name=cli_text(name, "--name", 200),
            role=role,
            password=password,
            district=district,
        )
        data = {
            "officer_id": str(officer.id),
            "username": officer.username,
            "role": officer.role.value,
            "district": officer.district,
            # The second factor is enrolled with a QR code at the first console sign-in.
            "next": f"sign in at {context.settings.public_base_url.rstrip('/')}/console to enrol "
            "a second factor (TOTP) and get recovery codes",
        }
    emit(data, as_json)


def _entry(entry: RegistryEntry) -> dict[str, Any]:
    return {
        "entry_id": str(entry.id),
        "person_id": str(entry.person_id),
        "status": entry.status.value,
        "basis": entry.basis,
        "proposed_at": entry.proposed_at,
        "decided_at": entry.decided_at,
        "removed_at": entry.removed_at,
    }


@registry_app.command("propose")
@handles_domain_errors
def registry_propose(
    person: Annotated[str, typer.Option("--person")],
    basis: Annotated[str, typer.Option(help="The written basis.")],
    officer: OfficerOption,
    case: Annotated[str | None, typer.Option("--case")] = None,
    as_json: JsonOption = False,
) -> None:
    """Propose entering a person in the registry (a second officer must approve)."""
    with app_context() as context, context.db.unit_of_work() as session:
        entry = registry.propose(
            session,
            now=context.clock.now(),
            officer=_officer(session, officer),
            person_id=_uuid(person, "--person"),
            basis=basis,
            case_id=_uuid(case, "--case") if case else None,
        )
        data = _entry(entry)
    emit(data, as_json)


@registry_app.command("approve")
@handles_domain_errors
def registry_approve(
    entry: Annotated[str, typer.Option("--entry")],
    officer: OfficerOption,
    as_json: JsonOption = False,
) -> None:
    """Approve a proposal (not by the officer who proposed it): the person is listed."""
    with app_context() as context, context.db.unit_of_work() as session:
        decided = registry.decide(
            session,
            now=context.clock.now(),
            officer=_officer(session, officer),
            entry_id=_uuid(entry, "--entry"),
            approve=True,
        )
        data = _entry(decided)
    emit(data, as_json)


@registry_app.command("reject")
@handles_domain_errors
def registry_reject(
    entry: Annotated[str, typer.Option("--entry")],
    reason: Annotated[str, typer.Option()],
    officer: OfficerOption,
    as_json: JsonOption = False,
) -> None:
    """Reject a proposal, with a reason."""
    with app_context() as context, context.db.unit_of_work() as session:
        decided = registry.decide(
            session,
            now=context.clock.now(),
            officer=_officer(session, officer),
            entry_id=_uuid(entry, "--entry"),
            approve=False,
            reason=reason,
        )
        data = _entry(decided)
    emit(data, as_json)


@registry_app.command("remove")
@handles_domain_errors
def registry_remove(
    entry: Annotated[str, typer.Option("--entry")],
    reason: Annotated[str, typer.Option()],
    officer: OfficerOption,
    as_json: JsonOption = False,
) -> None:
    """Remove a person from the registry, with a reason."""
    with app_context() as context, context.db.unit_of_work() as session:
        removed = registry.remove(
            session,
            now=context.clock.now(),
            officer=_officer(session, officer),
            entry_id=_uuid(entry, "--entry"),
            reason=reason,
        )
        data = _entry(removed)
    emit(data, as_json)


@registry_app.command("list")
def registry_list(
    status: Annotated[RegistryStatus | None, typer.Option()] = None, as_json: JsonOption = False
) -> None:
    """Registry entries, newest first."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        rows = [_entry(e) for e in registry.entries(session, status=status)]
    emit(rows, as_json, lambda: print_rows(rows))


def print_rows(rows: list[dict[str, Any]]) -> None:
    for row in rows:
        stdout.print(row)


def _case(case: Case) -> dict[str, Any]:
    return {
        "case_id": str(case.id),
        "person_id": str(case.person_id),
        "kind": case.kind.value,
        "status": case.status.value,
        "opened_at": case.opened_at,
        "window_start": case.window_start,
        "window_end": case.window_end,
        "evidence": case.evidence,
        "outcome": case.outcome.value if case.outcome else None,
    }


@case_app.command("list")
def case_list(
    kind: Annotated[CaseKind | None, typer.Option()] = None, as_json: JsonOption = False
) -> None:
    """Open cases, oldest first."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        rows = [_case(c) for c in cases.open_cases(session, kind=kind)]
    emit(rows, as_json, lambda: print_rows(rows))


@case_app.command("decide")
@handles_domain_errors
def case_decide(
    case: Annotated[str, typer.Option("--case")],
    outcome: Annotated[CaseOutcome, typer.Option()],
    reason: Annotated[str, typer.Option()],
    officer: OfficerOption,
    as_json: JsonOption = False,
) -> None:
    """Close a case with an outcome and a reason (reinstated annuls the deregistration)."""
    with app_context() as context, context.db.unit_of_work() as session:
        closed = decisions.decide(
            session,
            now=context.clock.now(),
            settings=context.settings,
            officer=_officer(session, officer),
            case_id=_uuid(case, "--case"),
            outcome=outcome,
            reason=reason,
        )
        data = _case(closed)
    emit(data, as_json)
