"""Operator commands: SMS log, service keys."""

from __future__ import annotations

from typing import Annotated

import typer

from amina.cli.common import JsonOption, app_context, emit, handles_domain_errors, operator
from amina.integrations import service as integrations
from amina.notifications.repo import sent_sms

sms_app = typer.Typer(help="SMS kept by the log backend.", no_args_is_help=True)
service_key_app = typer.Typer(help="Keys for other agencies' systems.", no_args_is_help=True)


@sms_app.command("list")
def sms_list(
    phone: Annotated[str | None, typer.Option(help="Only messages to this number.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000)] = 50,
    as_json: JsonOption = False,
) -> None:
    """The SMS messages the backend has sent, newest first."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        rows = [
            {"phone": m.phone, "text": m.text, "sent_at": m.sent_at}
            for m in sent_sms(session, phone=phone, limit=limit)
        ]

    emit(rows, as_json)  # a table; sent_at in Moscow time with its offset, as in --json


@service_key_app.command("create")
@handles_domain_errors
def service_key_create(
    name: Annotated[str, typer.Option(help="Which system will use it.")],
    as_json: JsonOption = False,
) -> None:
    """Create a key for another agency's system; prints {"key": …} once."""
    with app_context() as context, context.db.unit_of_work() as session:
        key = integrations.create_key(session, now=context.clock.now(), actor=operator(), name=name)
    emit({"key": key, "name": name}, as_json)
