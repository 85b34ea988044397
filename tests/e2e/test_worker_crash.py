"""The worker under kill -9 and in pairs (issue 4): after a crash and a restart every due step
and every message happened exactly once; two workers at once never take a step twice."""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from amina.config import Settings
from amina.db import Database
from amina.monitoring.models import StepTaken
from amina.monitoring.sweep import sweep
from amina.notifications.models import Delivery, Notification, SmsMessage
from amina.rules.calendar import MOSCOW
from amina.rules.lifecycle import DeliveryStatus
from tests.conftest import TEST_SECRET
from tests.support.seed import seed_registered
from tests.support.server import AMINA

pytestmark = [pytest.mark.slow, pytest.mark.server]
LAST = datetime(2026, 11, 16, 12, 0, tzinfo=MOSCOW)
REMINDER = datetime(2026, 11, 18, 9, 0, tzinfo=MOSCOW)
PEOPLE = 1500


def worker_env(url: str, data_dir: Path, now: datetime, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AMINA_")}
    env.update(
        AMINA_DATABASE_URL=url,
        AMINA_DATA_DIR=str(data_dir),
        AMINA_NOW=now.isoformat(),
        # The secret seed_registered encrypted the people with (tests.conftest).
        AMINA_SECRET_KEY=TEST_SECRET,
        AMINA_SWEEP_BATCH_SIZE="25",
        AMINA_WORKER_INTERVAL_S="0.2",
        **extra,
    )
    return env


def count(db: Database, query: object) -> int:
    with db.unit_of_work(readonly=True) as session:
        return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def kill_when(
    process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout_s: float = 60
) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.wait()
            return
        time.sleep(0.02)
    raise AssertionError("the worker finished before it could be killed mid-way")


def exactly_once(db: Database) -> None:
    steps = count(db, select(func.count()).select_from(StepTaken))
    distinct = count(db, select(func.count(func.distinct(StepTaken.person_id))))
    reminders = count(
        db, select(func.count()).select_from(Notification).where(Notification.kind == "reminder")
    )
    assert steps == distinct == reminders == PEOPLE


@pytest.fixture
def seeded(live_url: str) -> Database:
    db = Database.connect(live_url)
    seed_registered(db, Settings(), count=PEOPLE, last_monitoring_at=LAST)
    return db


def test_kill_9_mid_sweep_and_mid_delivery(seeded: Database, live_url: str, tmp_path: Path) -> None:
    db = seeded
    env = worker_env(live_url, tmp_path, REMINDER)
    running = subprocess.Popen(
        [AMINA, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    sms_due = select(func.count()).select_from(Delivery).where(Delivery.channel == "sms")
    kill_when(running, lambda: 0 < count(db, select(func.count()).select_from(StepTaken)) < PEOPLE)
    mid_sweep = count(db, select(func.count()).select_from(StepTaken))
    assert 0 < mid_sweep < PEOPLE

    # Restart; kill again while it is delivering this time.
    running = subprocess.Popen(
        [AMINA, "worker"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    sent = select(func.count()).select_from(SmsMessage)
    kill_when(running, lambda: count(db, sms_due) == PEOPLE and 0 < count(db, sent) < PEOPLE)

    # A later run, past the dead worker's delivery leases, finishes everything.
    later = worker_env(live_url, tmp_path, REMINDER + timedelta(minutes=3))
    subprocess.run([AMINA, "worker", "--once"], env=later, check=True, capture_output=True)
    exactly_once(db)
    assert count(db, sent) == PEOPLE
    assert count(db, select(func.count(func.distinct(SmsMessage.idempotency_key)))) == PEOPLE
    assert (
        count(
            db,
            select(func.count())
            .select_from(Delivery)
            .where(Delivery.channel == "sms", Delivery.status == DeliveryStatus.SENT),
        )
        == PEOPLE
    )
    db.dispose()


def test_two_sweeps_at_once_take_each_step_once(seeded: Database) -> None:
    """Two sweeps racing over the same due rows (as if two leaders existed)."""
    if seeded.is_sqlite:
        pytest.skip("SQLite runs one worker process; PostgreSQL is where workers race")
    settings = Settings(sweep_batch_size=25)
    barrier = threading.Barrier(2)
    results = []

    def run() -> None:
        barrier.wait()
        results.append(sweep(seeded, now=REMINDER, settings=settings, batch_size=25))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(r["reminder"] for r in results) == PEOPLE
    assert all(r["reminder"] > 0 for r in results)  # both really worked, side by side
    exactly_once(seeded)
    seeded.dispose()


def test_two_worker_processes_elect_one_sweep_leader(
    seeded: Database, live_url: str, tmp_path: Path
) -> None:
    env = worker_env(live_url, tmp_path, REMINDER)
    workers = [
        subprocess.Popen(
            [AMINA, "worker", "--once", "--json"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    outputs = [w.communicate(timeout=180)[0].decode() for w in workers]
    assert all(w.returncode == 0 for w in workers)
    leaders = sum('"leader": 1' in out for out in outputs)
    assert leaders >= 1
    exactly_once(seeded)
    seeded.dispose()
