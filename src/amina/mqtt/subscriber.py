"""`amina mqtt`: OwnTracks messages from the broker, through the intake, acknowledged after commit.

- One persistent session (clean_session off, a fixed client id) subscribed with QoS 1: while
  the subscriber is away the broker queues every message for it.
- Manual acknowledgements: a PUBACK goes out only after the message's unit of work has
  committed. If the process dies in between (even SIGKILL), the broker still holds the message
  and delivers it again on reconnect; the intake's (device, tst) key makes the redelivery a
  duplicate, so it is never counted twice.
- A message that can never succeed (unknown or revoked device, not JSON, not a location) is
  acknowledged and dropped: holding it would block the queue for ever. A failure that may pass
  (the database) is retried with a growing pause, and never acknowledged before it commits.
- The topic names the device: the broker lets a device publish under its own username only.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion

from amina.config import Settings
from amina.db import Database
from amina.keys import Keys
from amina.mqtt import accounts, broker
from amina.rules.territory import Territory
from amina.tracker_intake import ingest_location

log = logging.getLogger("amina.mqtt")
CLIENT_ID = "amina-ingest"
SUBSCRIPTION = f"{broker.TOPIC_ROOT}/+/+"


@dataclass
class Counters:
    accepted: int = 0
    refused: int = 0
    dropped: int = 0
    failed: int = 0


def decode(payload: bytes) -> dict[str, Any] | None:
    try:
        message = json.loads(payload)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return message if isinstance(message, dict) else None


def username_of(topic: str) -> str | None:
    parts = topic.split("/")
    if len(parts) != 3 or parts[0] != broker.TOPIC_ROOT or not parts[1]:
        return None
    return parts[1]


@dataclass
class Subscriber:
    db: Database
    settings: Settings
    territory: Territory
    keys: Keys
    mqtt: accounts.MqttSettings
    clock: Callable[[], datetime]
    client_id: str = CLIENT_ID
    counters: Counters = field(default_factory=Counters)
    stopped: threading.Event = field(default_factory=threading.Event)
    subscribed: threading.Event = field(default_factory=threading.Event)
    _client: paho.Client | None = None

    def handle(self, topic: str, payload: bytes) -> bool:
        """Take one message in; True if it may be acknowledged (committed, or never useful)."""
        username = username_of(topic)
        message = decode(payload)
        if username is None or message is None or message.get("_type") != "location":
            self.counters.dropped += 1
            return True
        try:
            with self.db.unit_of_work() as session:
                device = accounts.device_for_username(session, username)
                if device is None:
                    self.counters.dropped += 1
                    return True
                refused = ingest_location(
                    session,
                    now=self.clock(),
                    settings=self.settings,
                    territory=self.territory,
                    person_id=device.person_id,
                    device_id=device.id,
                    message=message,
                )
        except Exception:
            log.exception("an MQTT message could not be stored; it will be delivered again")
            self.counters.failed += 1
            return False
        if refused:
            log.info("mqtt report refused: %s", ",".join(refused))
            self.counters.refused += 1
        else:
            self.counters.accepted += 1
        return True

    def _on_connect(
        self, client: paho.Client, _userdata: Any, _flags: Any, reason: Any, _props: Any
    ) -> None:
        if reason.is_failure:
            log.error("the broker refused the subscriber: %s", reason)
            return
        client.subscribe(SUBSCRIPTION, qos=1)

    def _on_subscribe(
        self, _client: paho.Client, _userdata: Any, _mid: int, reasons: Any, _props: Any
    ) -> None:
        if any(reason.is_failure for reason in reasons):
            log.error("the broker refused the subscription to %s", SUBSCRIPTION)
        else:
            self.subscribed.set()
            log.info("subscribed to %s", SUBSCRIPTION)

    def _on_message(self, client: paho.Client, _userdata: Any, message: paho.MQTTMessage) -> None:
        delay = 0.5
        while not self.handle(message.topic, message.payload):
            # The database is down or busy: wait (no transaction is open) and try again. The
            # queue behind waits too, so reports keep their order. Stopped meanwhile, the
            # message stays unacknowledged with the broker.
            if self.stopped.wait(delay):
                return
            delay = min(delay * 2, 30.0)
        client.ack(message.mid, message.qos)

    def _on_disconnect(self, *_args: Any) -> None:
        log.info("disconnected from the broker")

    def build_client(self) -> paho.Client:
        client = paho.Client(
            CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            clean_session=False,
            protocol=paho.MQTTv311,
            manual_ack=True,
        )
        client.username_pw_set(self.mqtt.ingest_username, accounts.ingest_password(self.keys))
        client.on_connect = self._on_connect
        client.on_message = self._on_message
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        return client

    def sync(self) -> None:
        with self.db.unit_of_work(readonly=True) as session:
            accounts.sync_broker(session, keys=self.keys, mqtt=self.mqtt)

    def run(self, *, sync_interval_s: float = 2.0) -> None:
        """Subscribe until stopped; keep the broker's password file in step meanwhile."""
        self.sync()
        client = self._client = self.build_client()
        client.connect_async(self.mqtt.host, self.mqtt.port, keepalive=30)
        client.loop_start()
        try:
            while not self.stopped.wait(sync_interval_s):
                try:
                    self.sync()
                except Exception:
                    log.exception("could not bring the broker's accounts up to date")
        finally:
            client.disconnect()
            client.loop_stop()

    def stop(self) -> None:
        self.stopped.set()
