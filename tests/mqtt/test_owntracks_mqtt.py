"""OwnTracks over MQTT through a real Mosquitto: the phone publishes exactly as the app does."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import paho.mqtt.client as paho
import pytest
from fastapi.testclient import TestClient
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from amina.clock import FixedClock
from amina.context import AppContext
from amina.db import Database
from amina.monitoring.models import LocationReport, MonitoringState
from amina.mqtt.accounts import mqtt_settings
from amina.mqtt.subscriber import Subscriber
from tests.conftest import Recorded
from tests.support.broker import Mosquitto
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def eventually(check: Callable[[], bool], timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.02)


class Phone:
    """The OwnTracks app's MQTT client, configured from what Amina handed out."""

    def __init__(self, config: dict[str, Any], *, protocol: int = paho.MQTTv311) -> None:
        self.config = config
        self.client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=config["clientId"],
            clean_session=False if protocol == paho.MQTTv311 else None,
            protocol=protocol,
        )
        self.client.username_pw_set(config["username"], config["password"])
        self.refused: list[int] = []
        self.acked: set[int] = set()
        self.client.on_publish = self._on_publish

    def _on_publish(self, _c: Any, _u: Any, mid: int, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            self.refused.append(reason.value)
        else:
            self.acked.add(mid)

    @property
    def topic(self) -> str:
        return f"owntracks/{self.config['username']}/{self.config['deviceId']}"

    def connect(self, port: int) -> Phone:
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        eventually(self.client.is_connected)
        return self

    def publish(self, message: dict[str, Any], topic: str | None = None) -> paho.MQTTMessageInfo:
        return self.client.publish(topic or self.topic, json.dumps(message), qos=1)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def location(tst: int, lat: float = 55.75, lon: float = 37.61) -> dict[str, Any]:
    return {"_type": "location", "lat": lat, "lon": lon, "tst": tst, "acc": 15, "batt": 64}


@pytest.fixture
def subscriber(context: AppContext, clock: FixedClock) -> Iterator[Callable[[], Subscriber]]:
    """Start (and later stop) `amina mqtt`'s subscriber in a thread of this process. It syncs
    the broker's accounts once, at start: the test database is one shared connection, so its
    periodic sync must not run beside message handling here."""
    running: list[tuple[Subscriber, threading.Thread]] = []

    def start() -> Subscriber:
        sub = Subscriber(
            db=context.db,
            settings=context.settings,
            territory=context.territory,
            keys=context.keys,
            mqtt=mqtt_settings(context.settings),
            clock=clock.now,
        )
        thread = threading.Thread(target=sub.run, kwargs={"sync_interval_s": 60.0}, daemon=True)
        thread.start()
        running.append((sub, thread))
        sub.halt = lambda: (sub.stop(), thread.join(10))  # type: ignore[attr-defined]
        return sub

    yield start
    for sub, thread in running:
        sub.stop()
        thread.join(10)


def owntracks_device(client: TestClient, migrant: Migrant) -> dict[str, Any]:
    created = client.post("/api/v1/me/devices/owntracks", headers=migrant.auth)
    assert created.status_code == 201, created.text
    return dict(created.json())


def reports(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(LocationReport)) or 0)


def test_the_configuration_is_mqtt_and_battery_friendly(
    registered: Registered, client: TestClient, mosquitto: Mosquitto
) -> None:
    setup = owntracks_device(client, registered[1])
    mqtt, config = setup["mqtt"], setup["mqtt_config"]
    assert mqtt["port"] == mosquitto.port and mqtt["host"] == "127.0.0.1"
    assert mqtt["topic"] == f"owntracks/{mqtt['username']}/amina"
    assert (mqtt["username"], mqtt["password"]) == (setup["username"], setup["password"])
    assert config["mode"] == 0 and config["pubQos"] == 1 and config["cleanSession"] is False
    assert config["monitoring"] == 1  # significant changes
    assert config["locatorInterval"] >= 300 and config["locatorDisplacement"] >= 100
    assert 15 <= config["ping"] <= 6 * 60  # a still phone still reports every few hours
    assert setup["config"]["mode"] == 3  # the HTTP part is unchanged
    assert setup["mqtt_config_url"].startswith("owntracks:///config?inline=")


def test_a_backlog_queued_while_offline_arrives_once_each(
    registered: Registered,
    client: TestClient,
    clock: FixedClock,
    db: Database,
    mosquitto: Mosquitto,
    subscriber: Callable[[], Subscriber],
) -> None:
    setup = owntracks_device(client, registered[1])
    before = reports(db)
    first = subscriber()  # makes its persistent session, then goes away
    eventually(first.subscribed.is_set)
    first.halt()  # type: ignore[attr-defined]
    eventually(lambda: not first._client or not first._client.is_connected())

    # The phone comes back online and sends the points it recorded meanwhile, while Amina's
    # subscriber is away (restarting, say).
    phone = Phone(setup["mqtt_config"]).connect(mosquitto.port)
    base = int((clock.now() + timedelta(seconds=10)).timestamp())
    sent = [phone.publish(location(base + 30 * i)) for i in range(6)]
    sent.append(phone.publish(location(base)))  # the app resends one it was unsure about
    for info in sent:
        info.wait_for_publish(5)
    phone.close()

    second = subscriber()  # the broker kept the whole backlog for Amina's session
    eventually(lambda: second.counters.accepted == 7)
    second.halt()  # type: ignore[attr-defined]
    assert reports(db) == before + 6  # the resent point is the same report
    with db.unit_of_work(readonly=True) as session:
        state = session.get_one(MonitoringState, registered[0].person_id)
    assert int(state.last_monitoring_at.timestamp()) == base + 150  # type: ignore[union-attr]
    assert registered[1].me()["monitoring"]["last_monitoring_at"] is not None


def test_the_broker_refuses_another_devices_topic(
    registered: Registered,
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    client: TestClient,
    clock: FixedClock,
    db: Database,
    mosquitto: Mosquitto,
    subscriber: Callable[[], Subscriber],
) -> None:
    mine = owntracks_device(client, registered[1])
    other_person = add_person()
    other = migrant_for(other_person)
    other.sign_in(other_person.card_number, other_person.birth_date)
    theirs = owntracks_device(client, other)
    sub = subscriber()
    eventually(sub.subscribed.is_set)

    phone = Phone(mine["mqtt_config"], protocol=paho.MQTTv5).connect(mosquitto.port)
    tst = int(clock.now().timestamp())
    forged = phone.publish(location(tst), topic=theirs["mqtt"]["topic"])
    forged.wait_for_publish(5)
    eventually(lambda: phone.refused == [135])  # PUBACK: not authorised
    # Mosquitto 2.0 may also close the connection after a denied QoS 1 publish. The app then
    # reconnects to its persistent session and resends what it queued, as paho does here.
    own = phone.publish(location(tst))
    eventually(lambda: own.mid in phone.acked)
    phone.close()
    eventually(lambda: sub.counters.accepted == 1)
    sub.halt()  # type: ignore[attr-defined]
    with db.unit_of_work(readonly=True) as session:
        people = set(
            session.scalars(
                select(LocationReport.person_id).where(LocationReport.source == "owntracks")
            )
        )
    assert people == {registered[0].person_id}

    # Wrong password: the broker does not let it in at all.
    intruder = Phone({**theirs["mqtt_config"], "password": "guess", "clientId": "x"})
    with pytest.raises(AssertionError):
        intruder.client.connect("127.0.0.1", mosquitto.port)
        intruder.client.loop_start()
        eventually(intruder.client.is_connected, timeout_s=1)
    intruder.client.loop_stop()


def test_a_revoked_device_is_dropped_from_the_broker(
    registered: Registered, client: TestClient, clock: FixedClock, db: Database, context: AppContext
) -> None:
    from amina.auth.models import Device
    from amina.mqtt.accounts import sync_broker

    setup = owntracks_device(client, registered[1])
    settings = mqtt_settings(context.settings)
    with db.unit_of_work() as session:
        assert sync_broker(session, keys=context.keys, mqtt=settings)
        assert setup["username"] in settings.files.passwords.read_text()
        assert not sync_broker(session, keys=context.keys, mqtt=settings)  # unchanged: no reload
        session.get_one(Device, uuid.UUID(setup["device_id"])).revoked_at = clock.now()
        session.flush()
        assert sync_broker(session, keys=context.keys, mqtt=settings)
    assert setup["username"] not in settings.files.passwords.read_text()
