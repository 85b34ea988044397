"""`amina person …` and `amina card …`: what the MMC records."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import record
from amina.auth.models import Device
from amina.cli.common import (
    JsonOption,
    app_context,
    cli_text,
    emit,
    handles_domain_errors,
    operator,
    parse_date,
    stdout,
)
from amina.config import Settings
from amina.people import service as people
from amina.people.models import Document, Person
from amina.profile.service import me_document
from amina.registration import repo as registration_repo
from amina.rules.eligibility import Category, Purpose

person_app = typer.Typer(help="People as the MMC records them.", no_args_is_help=True)
card_app = typer.Typer(help="Foreign citizens' cards.", no_args_is_help=True)


@person_app.command("add")
@handles_domain_errors
def person_add(
    surname: Annotated[str, typer.Option()],
    given_names: Annotated[str, typer.Option("--given-names")],
    birth_date: Annotated[str, typer.Option("--birth-date", help="YYYY-MM-DD.")],
    citizenship: Annotated[str, typer.Option(help="ISO 3166-1 alpha-2, e.g. UZ.")],
    passport: Annotated[str, typer.Option(help="Passport number.")],
    phone: Annotated[str, typer.Option(help="Mobile number, +country code.")],
    purpose: Annotated[Purpose, typer.Option()],
    entry_date: Annotated[str, typer.Option("--entry-date", help="YYYY-MM-DD.")],
    stay_days: Annotated[int | None, typer.Option("--stay-days")] = None,
    category: Annotated[Category, typer.Option()] = Category.NONE,
    residence_permit: Annotated[bool, typer.Option("--residence-permit")] = False,
    language: Annotated[str, typer.Option(help="Preferred language for messages.")] = "ru",
    as_json: JsonOption = False,
) -> None:
    """Record a person; prints {"person_id": …}."""
    new = people.NewPerson(
        surname=cli_text(surname, "--surname", 200),
        given_names=cli_text(given_names, "--given-names", 200),
        birth_date=parse_date(birth_date, "--birth-date"),
        citizenship=cli_text(citizenship, "--citizenship", 2),
        passport_number=cli_text(passport, "--passport", 32),
        phone=cli_text(phone, "--phone", 20),
        purpose=purpose,
        entry_date=parse_date(entry_date, "--entry-date"),
        stay_days=stay_days,
        category=category,
        residence_permit=residence_permit,
        language=language,
    )
    with app_context() as context, context.db.unit_of_work() as session:
        person = people.add_person(session, now=context.clock.now(), actor=operator(), new=new)
        person_id = person.id
    emit({"person_id": str(person_id)}, as_json)


def _internal(session: Session, person: Person) -> dict[str, Any]:
    documents = session.scalars(select(Document).where(Document.person_id == person.id)).all()
    devices = session.scalars(select(Device).where(Device.person_id == person.id)).all()
    return {
        "person_id": str(person.id),
        "phone": person.phone,
        "purpose": person.purpose.value,
        "entry_date": person.entry_date.isoformat(),
        "stay_days": person.stay_days,
        "category": person.category.value,
        "residence_permit": person.residence_permit,
        "documents": [
            {
                "id": str(d.id),
                "kind": d.kind.value,
                "country": d.country,
                "number": d.number,
                "status": d.status.value,
                "expires_on": d.expires_on,
            }
            for d in documents
        ],
        "devices": [
            {"id": str(d.id), "platform": d.platform.value, "revoked": d.revoked_at is not None}
            for d in devices
        ],
        "registrations": [
            {"id": str(r.id), "status": r.status.value, "registered_at": r.registered_at}
            for r in registration_repo.registrations(session, person.id)
        ],
    }


def show_document(session: Session, person: Person, settings: Settings, now: Any) -> dict[str, Any]:
    document = me_document(session, person, now=now, settings=settings).model_dump(mode="json")
    card = people.current_card(session, person.id)
    document["person_id"] = str(person.id)
    document["card_number"] = card.number if card else None
    document["registration_id"] = (document["registration"] or {}).get("id")
    document["internal"] = _internal(session, person)
    return document


@person_app.command("show")
@handles_domain_errors
def person_show(
    card: Annotated[str | None, typer.Option("--card", help="Card number.")] = None,
    person: Annotated[str | None, typer.Option("--person", help="Person id.")] = None,
    reason: Annotated[str, typer.Option(help="Why you are looking (audited).")] = "operator lookup",
    as_json: JsonOption = False,
) -> None:
    """Everything the person's /me document holds, plus internal ids."""
    if (card is None) == (person is None):
        raise typer.BadParameter("give exactly one of --card or --person")
    with app_context() as context, context.db.unit_of_work() as session:
        now = context.clock.now()
        if card is not None:
            found = people.person_by_card(session, card)
        else:
            try:
                person_id = uuid.UUID(str(person))
            except ValueError:
                raise typer.BadParameter("not a person id", param_hint="--person") from None
            found = people.get_person(session, person_id)
        record(
            session,
            now=now,
            actor=operator(),
            action="person.viewed",
            subject_type="person",
            subject_id=found.id,
            reason=reason,
        )
        document = show_document(session, found, context.settings, now)
    emit(document, as_json)


@card_app.command("issue")
@handles_domain_errors
def card_issue(
    person: Annotated[str, typer.Option("--person", help="Person id.")],
    number: Annotated[str | None, typer.Option(help="Card number (default: generated).")] = None,
    as_json: JsonOption = False,
) -> None:
    """Issue a foreign citizen's card; prints {"card_number": …}."""
    try:
        person_id = uuid.UUID(person)
    except ValueError:
        raise typer.BadParameter("not a person id", param_hint="--person") from None
    with app_context() as context, context.db.unit_of_work() as session:
        issued = people.issue_card(
            session, now=context.clock.now(), actor=operator(), person_id=person_id, number=number
        )
        data = {"card_number": issued.number, "expires_on": issued.expires_on}
    emit(data, as_json)


@card_app.command("lost")
@handles_domain_errors
def card_lost(
    number: Annotated[str, typer.Option(help="Card number.")],
    as_json: JsonOption = False,
) -> None:
    """Mark a card lost: the person then signs in with their passport."""
    with app_context() as context, context.db.unit_of_work() as session:
        lost = people.mark_card_lost(
            session, now=context.clock.now(), actor=operator(), number=number
        )
        data = {"card_number": lost.number, "status": lost.status.value}
    emit(data, as_json, lambda: stdout.print(f"Card {data['card_number']} marked lost."))
