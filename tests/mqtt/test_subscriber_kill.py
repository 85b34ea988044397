"""`amina mqtt` killed with SIGKILL in the middle of a backlog loses nothing, counts nothing
twice: messages are acknowledged only after their commit, and redeliveries are duplicates."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from amina.audit.service import Actor
from amina.auth import owntracks
from amina.db import Database
from amina.keys import Keys
from amina.monitoring.models import LocationReport, MonitoringState
from amina.mqtt.accounts import add_account
from amina.people import service as people
from amina.rules.eligibility import Purpose
from tests.support.broker import Mosquitto
from tests.support.server import AMINA

SECRET = "k" * 40
BACKLOG = 60


def eventually(check: Callable[[], bool], timeout_s: float = 120.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


def seed_device(db: Database, now: datetime) -> tuple[Any, str, str]:
    from datetime import date

    with db.unit_of_work() as session:
        person = people.add_person(
            session,
            now=now,
            actor=Actor("cli", "test"),
            new=people.NewPerson(
                surname="Rahimova",
                given_names="Dilnoza",
                birth_date=date(1992, 3, 3),
                citizenship="TJ",
                passport_number="4001234567",
                phone="+992900000001",
                purpose=Purpose.WORK,
                entry_date=date(2026, 9, 1),
            ),
        )
        credentials = owntracks.create_device(
            session, now=now, keys=Keys(SECRET.encode()), person_id=person.id
        )
        add_account(
            session,
            now=now,
            device_id=credentials.device_id,
            username=credentials.username,
            password=credentials.password,
        )
        return person.id, credentials.username, credentials.password


@pytest.mark.slow
def test_sigkill_between_publish_and_commit_loses_nothing(
    live_url: str, tmp_path: Path, mosquitto: Mosquitto
) -> None:
    db = Database.connect(live_url)
    now = datetime.now(UTC)
    person_id, username, password = seed_device(db, now)
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMINA_")}
    env.update(
        AMINA_DATABASE_URL=live_url,
        AMINA_DATA_DIR=str(tmp_path / "data"),
        AMINA_SECRET_KEY=SECRET,
        AMINA_MQTT_PORT=str(mosquitto.port),
        AMINA_MQTT_BROKER_DIR=str(mosquitto.files.directory),
    )
    log = (tmp_path / "mqtt.log").open("ab")
    started: list[subprocess.Popen[bytes]] = []

    def subscriptions() -> int:
        log.flush()
        return (tmp_path / "mqtt.log").read_text().count("subscribed to owntracks")

    def start() -> subprocess.Popen[bytes]:
        connected = subscriptions()
        process = subprocess.Popen(
            [AMINA, "mqtt", "--sync-interval", "0.2"], env=env, stdout=log, stderr=log
        )
        started.append(process)
        eventually(lambda: subscriptions() > connected, 120)
        return process

    def kill(process: subprocess.Popen[bytes]) -> None:
        os.kill(process.pid, signal.SIGKILL)
        process.wait(10)

    def stored() -> int:
        with db.unit_of_work(readonly=True) as session:
            return int(
                session.scalar(
                    select(func.count())
                    .select_from(LocationReport)
                    .where(LocationReport.person_id == person_id)
                )
                or 0
            )

    try:
        kill(start())  # the persistent session exists; the subscriber is gone

        phone = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"{username}-amina", clean_session=False
        )
        phone.username_pw_set(username, password)
        phone.connect("127.0.0.1", mosquitto.port)
        phone.loop_start()
        first_tst = int(now.timestamp()) - BACKLOG
        sent = [
            phone.publish(
                f"owntracks/{username}/amina",
                json.dumps(
                    {"_type": "location", "lat": 55.7, "lon": 37.6, "acc": 10, "tst": first_tst + i}
                ),
                qos=1,
            )
            for i in range(BACKLOG)
        ]
        for info in sent:
            info.wait_for_publish(10)
        phone.disconnect()
        phone.loop_stop()

        process = start()
        eventually(lambda: stored() >= 10)
        kill(process)  # in the middle of the backlog, between some publish and its commit
        interrupted_at = stored()

        process = start()
        eventually(lambda: stored() == BACKLOG)
        time.sleep(0.5)  # anything redelivered meanwhile must have been a duplicate
        assert stored() == BACKLOG
        process.terminate()
        process.wait(10)
    except AssertionError:
        db.dispose()
        log.flush()
        print((tmp_path / "mqtt.log").read_text(errors="replace")[-3000:])
        print(mosquitto.log()[-3000:])
        raise
    finally:
        for process in started:
            if process.poll() is None:
                process.kill()
                process.wait(10)
        log.close()
    try:
        with db.unit_of_work(readonly=True) as session:
            state = session.get_one(MonitoringState, person_id)
    finally:
        db.dispose()
    assert state.last_monitoring_at == datetime.fromtimestamp(first_tst + BACKLOG - 1, tz=UTC)
    assert 0 < interrupted_at <= BACKLOG
