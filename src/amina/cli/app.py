"""The command tree: `amina <command>` (api.md, "Command line")."""

from __future__ import annotations

from typing import Annotated

import typer

from amina.cli import monitoring, officers, ops, people, rules
from amina.cli import mqtt as mqtt_cli
from amina.cli.common import JsonOption, app_context, emit, handles_domain_errors, stdout
from amina.errors import Forbidden

app = typer.Typer(
    name="amina",
    help="Amina: location accounting for foreign workers in Moscow and Moscow Oblast.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.add_typer(people.person_app, name="person")
app.add_typer(people.card_app, name="card")
app.add_typer(rules.app, name="rules")
app.add_typer(ops.sms_app, name="sms")
app.add_typer(ops.service_key_app, name="service-key")
app.add_typer(monitoring.monitor_app, name="monitor")
app.add_typer(monitoring.outage_app, name="outage")
app.add_typer(monitoring.calendar_app, name="calendar")
app.add_typer(monitoring.audit_app, name="audit")
app.add_typer(officers.officer_app, name="officer")
app.add_typer(officers.registry_app, name="registry")
app.add_typer(officers.case_app, name="case")
app.command()(monitoring.worker)
app.command()(monitoring.checkin)
app.command()(mqtt_cli.mqtt)
app.add_typer(mqtt_cli.broker_app, name="broker")


@app.command()
def migrate(as_json: JsonOption = False) -> None:
    """Bring the database schema to the newest version (Alembic)."""
    from amina.schema import current_revision, upgrade

    with app_context() as context:
        with stdout.status("Migrating the database…"):
            upgrade(context.db.engine)
        revision = current_revision(context.db.engine)
    emit({"revision": revision}, as_json, lambda: stdout.print(f"Schema at revision {revision}."))


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (PostgreSQL only).")] = 1,
) -> None:
    """Run the web service: API, migrant app at /, officer console at /console."""
    import uvicorn

    uvicorn.run(
        "amina.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        proxy_headers=False,
        server_header=False,
        log_level="info",
    )


def main() -> None:
    app()


@app.command()
@handles_domain_errors
def demo(as_json: JsonOption = False) -> None:
    """Seed a demo data set and print how to sign in as a migrant and as an officer."""
    from rich.progress import track

    from amina import demo as demo_data

    with app_context() as context:
        if context.settings.is_production:
            raise Forbidden("demo data is never seeded in production", code="not_in_production")
        now = context.clock.now()
        with context.db.unit_of_work() as session:
            seeded = demo_data.seed(session, now=now)
        base = context.settings.public_base_url.rstrip("/")
    people = [
        {
            "card_number": d.card_number,
            "birth_date": d.new.birth_date.isoformat(),
            "phone": d.new.phone,
            "note": d.note,
            "created": created,
        }
        for d, created in track(seeded.people, description="Demo data", disable=as_json)
    ]
    officers = [
        {"username": u, "role": r.value, "password": demo_data.DEMO_OFFICER_PASSWORD}
        for u, r in seeded.officers
    ]

    def human() -> None:
        stdout.print(f"[bold]Migrants[/bold]: open {base}/ and sign in with a card number and")
        stdout.print("birth date; the one-time code is in `amina sms list` (log SMS backend).")
        for row in people:
            stdout.print(f"  card {row['card_number']}  born {row['birth_date']}  {row['note']}")
        stdout.print(f"[bold]Officers[/bold]: POST {base}/api/v1/officer/sessions with")
        stdout.print(f"username and password ({demo_data.DEMO_OFFICER_PASSWORD!r}):")
        for officer in officers:
            stdout.print(f"  {officer['username']}  ({officer['role']})")

    emit({"people": people, "officers": officers, "app_url": f"{base}/"}, as_json, human)
