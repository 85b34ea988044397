"""`amina mqtt` (the OwnTracks MQTT subscriber) and `amina broker` (Mosquitto's files)."""

from __future__ import annotations

import getpass
import logging
import signal
from typing import Annotated

import typer

from amina.cli.common import JsonOption, app_context, emit, stdout
from amina.mqtt import broker
from amina.mqtt.accounts import mqtt_settings, sync_broker
from amina.mqtt.subscriber import Subscriber

broker_app = typer.Typer(
    help="The Mosquitto broker's configuration, written by Amina.", no_args_is_help=True
)


def mqtt(
    sync_interval: Annotated[
        float, typer.Option(help="Seconds between updates of the broker's password file.")
    ] = 2.0,
) -> None:
    """Subscribe to OwnTracks over MQTT (QoS 1, persistent session) and take every message
    through the intake; each is acknowledged only after it is committed."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with app_context() as context:
        subscriber = Subscriber(
            db=context.db,
            settings=context.settings,
            territory=context.territory,
            keys=context.keys,
            mqtt=mqtt_settings(context.settings),
            clock=context.clock.now,
        )
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: subscriber.stop())
        subscriber.run(sync_interval_s=sync_interval)


@broker_app.command("config")
def broker_config(
    run_as: Annotated[
        str | None, typer.Option(help="The user Mosquitto runs as (default: this one).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Write mosquitto.conf, the ACL and the password file; start Mosquitto with
    `mosquitto -c <dir>/mosquitto.conf`."""
    with app_context() as context:
        settings = mqtt_settings(context.settings)
        broker.write_config(
            settings.files,
            host=settings.host,
            port=settings.port,
            ingest_username=settings.ingest_username,
            run_as=run_as or getpass.getuser(),
        )
        with context.db.unit_of_work(readonly=True) as session:
            sync_broker(session, keys=context.keys, mqtt=settings)
    path = str(settings.files.config)
    emit({"config": path}, as_json, lambda: stdout.print(f"mosquitto -c {path}"))


@broker_app.command("sync")
def broker_sync(as_json: JsonOption = False) -> None:
    """Bring the broker's password file up to date now (and reload the broker)."""
    with app_context() as context:
        settings = mqtt_settings(context.settings)
        with context.db.unit_of_work(readonly=True) as session:
            changed = sync_broker(session, keys=context.keys, mqtt=settings)
    emit({"changed": changed}, as_json, lambda: stdout.print("updated" if changed else "as is"))
