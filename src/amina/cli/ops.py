"""Operator commands: SMS log, service keys, data-key rotation."""

from __future__ import annotations

from typing import Annotated

import typer

from amina.cli.common import JsonOption, app_context, emit, handles_domain_errors, operator, stdout
from amina.integrations import service as integrations
from amina.notifications.repo import sent_sms
from amina.people import rotation

sms_app = typer.Typer(help="SMS kept by the log backend.", no_args_is_help=True)
service_key_app = typer.Typer(help="Keys for other agencies' systems.", no_args_is_help=True)
keys_app = typer.Typer(help="The keys personal data is encrypted under.", no_args_is_help=True)


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


@keys_app.command("rotate")
def keys_rotate(
    batch: Annotated[int, typer.Option(min=1, max=10_000, help="Rows per transaction.")] = 500,
    as_json: JsonOption = False,
) -> None:
    """Re-encrypt personal data under the current key (AMINA_SECRET_KEY at
    AMINA_DATA_KEY_VERSION) and recompute its lookup hashes. Values under older key versions or
    under AMINA_RETIRED_SECRET_KEYS are rewritten; run it after changing either, then retire
    the old secret."""
    counts = {"persons": 0, "documents": 0, "residences": 0}
    with app_context() as context:
        for table, step in (
            ("persons", rotation.rotate_persons),
            ("documents", rotation.rotate_documents),
            ("residences", rotation.rotate_residences),
        ):
            after = None
            while True:
                with context.db.unit_of_work() as session:
                    done = step(session, after=after, limit=batch)
                counts[table] += done.rewritten
                if done.last_id is None:
                    break
                after = done.last_id
    emit(
        {"rewritten": counts, "key_version": context.settings.data_key_version},
        as_json,
        lambda: stdout.print(
            f"re-encrypted {counts['persons']} persons and {counts['documents']} documents"
        ),
    )
