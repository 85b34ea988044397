"""The command tree: `amina <command>` (api.md, "Command line")."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from amina.cli import monitoring, officers, ops, patents, people, rules
from amina.cli import mqtt as mqtt_cli
from amina.cli.bookings import booking_app
from amina.cli.common import (
    JsonOption,
    app_context,
    emit,
    handles_domain_errors,
    stderr,
    stdout,
)
from amina.cli.demo_output import cli_path, print_demo
from amina.cli.districts import districts_app
from amina.errors import Forbidden

app = typer.Typer(
    name="amina",
    help="Amina: location accounting for foreign workers in Moscow and Moscow Oblast.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,  # --install-completion/--show-completion cluttered every --help
)


def _print_version(value: bool) -> None:
    if value:
        from amina import __version__

        stdout.print(f"amina {__version__}", highlight=False)
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_print_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Amina: location accounting for foreign workers in Moscow and Moscow Oblast."""


app.add_typer(people.person_app, name="person")
app.add_typer(people.card_app, name="card")
app.add_typer(rules.app, name="rules")
app.add_typer(ops.sms_app, name="sms")
app.add_typer(ops.service_key_app, name="service-key")
app.add_typer(ops.keys_app, name="keys")
app.add_typer(monitoring.monitor_app, name="monitor")
app.add_typer(monitoring.outage_app, name="outage")
app.add_typer(monitoring.calendar_app, name="calendar")
app.add_typer(monitoring.audit_app, name="audit")
app.add_typer(officers.officer_app, name="officer")
app.add_typer(officers.registry_app, name="registry")
app.add_typer(officers.case_app, name="case")
app.add_typer(districts_app, name="districts")
app.add_typer(booking_app, name="booking")
app.add_typer(patents.patent_app, name="patent")
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

    from amina.cli import workers as worker_processes

    options: dict[str, Any] = {
        "factory": True,
        "host": host,
        "port": port,
        "workers": workers,
        "proxy_headers": False,
        "server_header": False,
        "log_level": "info",
        # Uvicorn's access log writes full paths and query strings (proof tokens, cursors);
        # the app logs each request by its route template instead (web/request_log.py).
        "access_log": False,
    }
    app_path = "amina.web.app:app_from_environment"
    if workers > 1 and worker_processes.supported():
        # Each worker listens on a socket of its own: connections are spread evenly.
        try:
            worker_processes.serve(uvicorn.Config(app_path, **options))
        except worker_processes.PortInUse as error:
            stderr.print(f"[red]error[/red]: {error}")
            raise typer.Exit(1) from None
        return
    uvicorn.run(app_path, **options)


def main() -> None:
    app()


@app.command()
@handles_domain_errors
def demo(as_json: JsonOption = False) -> None:
    """Seed a demo data set and print how to sign in as a migrant and as an officer."""
    from amina import demo as demo_data
    from amina.bookings import demo as booking_demo
    from amina.console import demo as console_demo
    from amina.patents import demo as patent_demo

    with app_context() as context:
        if context.settings.is_production:
            raise Forbidden("demo data is never seeded in production", code="not_in_production")
        now = context.clock.now()
        with context.db.unit_of_work() as session:
            seeded = demo_data.seed(session, now=now)
            console_officers = console_demo.seed(
                session, now=now, keys=context.keys, settings=context.settings
            )
        with context.db.unit_of_work(readonly=True) as session:
            people = [
                {
                    "name": f"{d.new.surname} {d.new.given_names}",
                    "card_number": d.card_number,
                    "birth_date": d.new.birth_date.isoformat(),
                    "passport": {"country": d.new.citizenship, "number": d.new.passport_number},
                    "phone": d.new.phone,
                    "language": d.new.language,
                    "state": demo_data.person_state(
                        session, settings=context.settings, card_number=d.card_number, now=now
                    ),
                    "note": d.note,
                    "created": created,
                }
                for d, created in seeded.people
            ]
        base = context.settings.public_base_url.rstrip("/")
    officers = [
        {"username": u, "role": r.value, "password": demo_data.DEMO_OFFICER_PASSWORD}
        for u, r in seeded.officers
    ]
    sms_command = f"{cli_path()} sms list"
    result = {
        "people": people,
        "officers": officers,
        "app_url": f"{base}/",
        "sms_command": sms_command,
        "notes": [f"Patent: {patent_demo.NOTE}", f"Appointments: {booking_demo.NOTE}"],
        "console_url": f"{base}/console",
        "console_officers": [
            {
                "username": o.username,
                "role": o.role.value,
                "password": o.password,
                "totp_secret": o.totp_secret,
                "current_code": o.current_code,
            }
            for o in console_officers
        ],
    }
    emit(result, as_json, lambda: print_demo(result, demo_data.DEMO_OFFICER_PASSWORD))
