"""Benchmark OwnTracks over MQTT through a real Mosquitto, at 1,000 devices.

- Backlog throughput: the subscriber is away while 1,000 devices each publish `--per-device`
  QoS 1 locations; then it starts, and we time how long it takes to commit them all.
- Publish→commit latency: the subscriber is running; devices publish one location at a time
  at a steady rate, each carrying its publish instant; latency is the report's received_at
  (set inside the committing unit of work, real clock) minus that instant.

Everything runs on this machine: a Mosquitto of its own (config written by Amina), a scratch
database (SQLite by default, or --database-url), and the subscriber in-process, as `amina mqtt`
runs it. Usage: python -m bench.mqtt [--devices 1000] [--per-device 3] [--database-url URL]
"""

from __future__ import annotations

import argparse
import getpass
import json
import statistics
import subprocess
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from sqlalchemy import func, select

from amina.audit.service import Actor
from amina.auth import owntracks
from amina.clock import SystemClock
from amina.config import Settings
from amina.db import Database
from amina.keys import Keys
from amina.monitoring.models import LocationReport
from amina.mqtt import broker
from amina.mqtt.accounts import add_account, mqtt_settings
from amina.mqtt.subscriber import Subscriber
from amina.people import service as people
from amina.rules.eligibility import Purpose
from amina.rules.territory import load_territory
from amina.schema import upgrade

SECRET = "b" * 40
PORT = 18899


def seed(db: Database, devices: int) -> list[tuple[str, str]]:
    now = datetime.now(UTC)
    keys = Keys(SECRET.encode())
    accounts = []
    with db.unit_of_work() as session:
        for i in range(devices):
            person = people.add_person(
                session,
                now=now,
                actor=Actor("cli", "bench"),
                new=people.NewPerson(
                    surname="Bench",
                    given_names=f"Person {i}",
                    birth_date=date(1990, 1, 1),
                    citizenship="UZ",
                    passport_number=f"FB{i:07d}",
                    phone=f"+99890{i:07d}",
                    purpose=Purpose.WORK,
                    entry_date=date(2026, 9, 1),
                ),
            )
            cred = owntracks.create_device(session, now=now, keys=keys, person_id=person.id)
            add_account(
                session,
                now=now,
                device_id=cred.device_id,
                username=cred.username,
                password=cred.password,
            )
            accounts.append((cred.username, cred.password))
    return accounts


def publish_all(accounts: list[tuple[str, str]], per_device: int, tst0: int) -> None:
    for n, (username, password) in enumerate(accounts):
        client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"{username}-amina")
        client.username_pw_set(username, password)
        client.connect("127.0.0.1", PORT)
        client.loop_start()
        infos = [
            client.publish(
                f"owntracks/{username}/amina",
                json.dumps(
                    {
                        "_type": "location",
                        "lat": 55.75,
                        "lon": 37.61,
                        "acc": 10,
                        "tst": tst0 + n * per_device + k,
                        "sent": time.time(),
                    }
                ),
                qos=1,
            )
            for k in range(per_device)
        ]
        for info in infos:
            info.wait_for_publish(10)
        client.disconnect()
        client.loop_stop()


def count(db: Database) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(select(func.count()).select_from(LocationReport)) or 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, default=1000)
    parser.add_argument("--per-device", type=int, default=3)
    parser.add_argument("--latency-messages", type=int, default=300)
    parser.add_argument("--latency-rate", type=float, default=20.0, help="messages per second")
    parser.add_argument("--database-url")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="amina-bench-mqtt-"))
    url = args.database_url or f"sqlite:///{work / 'bench.sqlite3'}"
    files = broker.BrokerFiles(work / "broker")
    broker.write_config(
        files, host="127.0.0.1", port=PORT, ingest_username="amina-ingest", run_as=getpass.getuser()
    )
    mosquitto = subprocess.Popen(
        ["mosquitto", "-c", str(files.config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    db = Database.connect(url)
    try:
        upgrade(db.engine)
        accounts = seed(db, args.devices)
        settings = Settings(
            data_dir=work / "data",
            database_url=url,
            secret_key=SECRET,
            mqtt_port=PORT,
            mqtt_broker_dir=files.directory,
        )
        territory = load_territory(None)

        def make_subscriber() -> Subscriber:
            return Subscriber(
                db=db,
                settings=settings,
                territory=territory,
                keys=Keys(SECRET.encode()),
                mqtt=mqtt_settings(settings),
                clock=SystemClock().now,
            )

        subscriber = make_subscriber()
        subscriber.sync()
        time.sleep(0.5)
        first = threading.Thread(target=subscriber.run, kwargs={"sync_interval_s": 60}, daemon=True)
        first.start()
        subscriber.subscribed.wait(10)
        subscriber.stop()
        first.join(10)

        tst0 = int(time.time()) - 86400
        started = time.perf_counter()
        publish_all(accounts, args.per_device, tst0)
        published = time.perf_counter() - started
        total = args.devices * args.per_device

        second = make_subscriber()
        drain_start = time.perf_counter()
        thread = threading.Thread(target=second.run, kwargs={"sync_interval_s": 60}, daemon=True)
        thread.start()
        while count(db) < total:
            time.sleep(0.05)
        drained = time.perf_counter() - drain_start

        # Latency, with the subscriber online.
        latency_accounts = accounts[: min(len(accounts), args.latency_messages)]
        latencies = []
        base = count(db)
        tst1 = int(time.time()) - 3600
        clients = []
        for username, password in latency_accounts:
            client = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"{username}-lat")
            client.username_pw_set(username, password)
            client.connect("127.0.0.1", PORT)
            client.loop_start()
            clients.append((username, client))
        sent_at: dict[int, float] = {}
        for i, (username, client) in enumerate(clients):
            sent_at[tst1 + i] = time.time()
            client.publish(
                f"owntracks/{username}/amina",
                json.dumps(
                    {"_type": "location", "lat": 55.75, "lon": 37.61, "acc": 10, "tst": tst1 + i}
                ),
                qos=1,
            )
            time.sleep(1 / args.latency_rate)
        while count(db) < base + len(clients):
            time.sleep(0.05)
        with db.unit_of_work(readonly=True) as session:
            rows = session.execute(
                select(LocationReport.recorded_at, LocationReport.received_at).where(
                    LocationReport.recorded_at >= datetime.fromtimestamp(tst1, tz=UTC)
                )
            ).all()
        for recorded_at, received_at in rows:
            tst = int(recorded_at.timestamp())
            if tst in sent_at:
                latencies.append((received_at.timestamp() - sent_at[tst]) * 1000)
        for _, client in clients:
            client.disconnect()
            client.loop_stop()
        second.stop()
        thread.join(10)
        latencies.sort()
        result = {
            "database": db.engine.dialect.name,
            "devices": args.devices,
            "backlog_messages": total,
            "publish_s": round(published, 2),
            "drain_s": round(drained, 2),
            "throughput_msg_per_s": round(total / drained, 1),
            "latency_messages": len(latencies),
            "latency_rate_per_s": args.latency_rate,
            "latency_ms_p50": round(statistics.median(latencies), 1),
            "latency_ms_p95": round(latencies[int(len(latencies) * 0.95) - 1], 1),
            "latency_ms_max": round(latencies[-1], 1),
        }
        print(json.dumps(result, indent=2))
    finally:
        db.dispose()
        mosquitto.terminate()
        mosquitto.wait(10)


if __name__ == "__main__":
    main()
