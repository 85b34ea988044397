"""Bulk-insert N registered people into a migrated Amina database, as registration leaves them.

Per person: a `persons` row, a passport in `documents`, an Android device with a real Ed25519
public key in `devices`, a signed-in `auth_sessions` row, an active `registrations` row, the
first location report (registration always takes one) in `location_reports`, and the
`monitoring_states` row with the next step scheduled exactly as `monitoring.state.schedule`
would. Rows go in with SQLAlchemy Core `insert()` executemany, one transaction per chunk, through
the project's own `make_engine` and table definitions so that every type matches.

    python -m bench.intake.seed --url sqlite:////tmp/amina.sqlite3 --devices 100000
"""

from __future__ import annotations

import argparse
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, Table, insert, text
from sqlalchemy.orm import Session

from amina import vault
from amina.auth.models import AuthSession, Device, Platform
from amina.config import Settings
from amina.db import make_engine
from amina.monitoring.models import LocationReport, MonitoringSource, MonitoringState, ReportSource
from amina.monitoring.schedule import deadlines_for
from amina.people.models import Document, DocumentKind, DocumentStatus, Person
from amina.registration.models import Registration
from amina.rules.deadlines import next_step
from amina.rules.eligibility import Category, Purpose
from amina.rules.lifecycle import RegistrationStatus
from amina.rules.territory import Territory, load_territory

from .fleet import Fleet

DEFAULT_CHUNK = 5_000
# The seeded people last reported this long before seeding: their next step is a future reminder.
LAST_REPORT_AGE = timedelta(hours=1)
REGISTERED_AGO = timedelta(days=10)
TABLES: tuple[Table, ...] = tuple(
    model.__table__  # type: ignore[misc]
    for model in (
        Person,
        Document,
        Device,
        AuthSession,
        Registration,
        LocationReport,
        MonitoringState,
    )
)
CITIZENSHIPS = ("UZ", "TJ", "KG", "AM", "KZ")


@dataclass(frozen=True)
class SeedResult:
    devices: int
    rows: int
    insert_seconds: float
    finish_seconds: float  # VACUUM ANALYZE (PostgreSQL) or WAL checkpoint (SQLite)
    last_monitoring_at: datetime

    @property
    def seconds(self) -> float:
        return self.insert_seconds + self.finish_seconds


@dataclass(frozen=True)
class _Schedule:
    last_monitoring_at: datetime
    registered_at: datetime
    next_step: Any
    next_step_at: datetime | None


def _schedule(engine: Engine, settings: Settings, now: datetime) -> _Schedule:
    """Everyone last reported at the same instant, so one calendar computation serves all."""
    last = now - LAST_REPORT_AGE
    with Session(engine) as session:
        upcoming = next_step(deadlines_for(session, settings, last), None)
    return _Schedule(
        last_monitoring_at=last,
        registered_at=now - REGISTERED_AGO,
        next_step=upcoming.step if upcoming else None,
        next_step_at=upcoming.due_at if upcoming else None,
    )


def _rows(
    fleet: Fleet, indices: Sequence[int], plan: _Schedule, settings: Settings, territory: Territory
) -> list[list[dict[str, Any]]]:
    """One chunk's rows, table by table in `TABLES` order."""
    now = plan.registered_at
    homes = [fleet.home(i) for i in indices]
    placements = territory.classify_many([h[0] for h in homes], [h[1] for h in homes])
    persons: list[dict[str, Any]] = []
    documents: list[dict[str, Any]] = []
    devices: list[dict[str, Any]] = []
    sessions: list[dict[str, Any]] = []
    registrations: list[dict[str, Any]] = []
    reports: list[dict[str, Any]] = []
    states: list[dict[str, Any]] = []
    for index, (lat, lon), placement in zip(indices, homes, placements, strict=True):
        person_id, device_id = fleet.person_id(index), fleet.device_id(index)
        registration_id = fleet.registration_id(index)
        citizenship = CITIZENSHIPS[index % len(CITIZENSHIPS)]
        persons.append(
            {
                "id": person_id,
                "surname_enc": f"Benchmarkov{index}",
                "given_names_enc": "Test",
                "birth_date_enc": date(1980 + index % 25, 1 + index % 12, 1 + index % 28),
                "citizenship": citizenship,
                "phone_enc": f"+99890{index:07d}",
                "purpose": Purpose.WORK,
                "entry_date": now.date() - timedelta(days=30),
                "stay_days": None,
                "category": Category.NONE,
                "residence_permit": False,
                "language": "ru",
                "deceased_at": None,
                "created_at": now,
                "updated_at": now,
            }
        )
        documents.append(
            {
                "id": fleet.document_id(index),
                "person_id": person_id,
                "kind": DocumentKind.PASSPORT,
                "country": citizenship,
                "number_enc": fleet.passport_number(index),
                "status": DocumentStatus.VALID,
                "issued_on": date(2020, 1, 1),
                "expires_on": date(2030, 1, 1),
                "lost_at": None,
                "created_at": now,
            }
        )
        devices.append(
            {
                "id": device_id,
                "person_id": person_id,
                "public_key": fleet.public_key(index),
                "platform": Platform.ANDROID,
                "model": "Bench phone",
                "app_version": "bench",
                "owntracks_username": None,
                "owntracks_secret_hash": None,
                "created_at": now,
                "last_seen_at": now,
                "revoked_at": None,
            }
        )
        sessions.append(
            {
                "id": fleet.session_id(index),
                "person_id": person_id,
                "device_id": device_id,
                "created_at": now,
                "revoked_at": None,
            }
        )
        registrations.append(
            {
                "id": registration_id,
                "person_id": person_id,
                "status": RegistrationStatus.ACTIVE,
                "address": settings.mmc_address,
                "registered_at": now,
                "test_mode": False,
                "consent_version": settings.consent_version,
                "consent_at": now,
                "deregistered_at": None,
                "ground": None,
                "ground_detail": None,
                "missed_since": None,
                "reinstated_at": None,
            }
        )
        reports.append(
            {
                "device_id": device_id,
                "client_id": uuid.uuid4(),
                "person_id": person_id,
                "recorded_at": plan.last_monitoring_at,
                "received_at": plan.last_monitoring_at,
                "lat": lat,
                "lon": lon,
                "accuracy_m": 20.0,
                "source": ReportSource.GPS,
                "mock": False,
                "heartbeat": False,
                "placement": placement,
                "impossible_speed": False,
                "counted": True,
            }
        )
        states.append(
            {
                "person_id": person_id,
                "registration_id": registration_id,
                "last_monitoring_at": plan.last_monitoring_at,
                "last_monitoring_source": MonitoringSource.REPORT,
                "last_step": None,
                "next_step": plan.next_step,
                "next_step_at": plan.next_step_at,
                "updated_at": plan.last_monitoring_at,
            }
        )
    return [persons, documents, devices, sessions, registrations, reports, states]


def _finish(engine: Engine) -> None:
    """What a live database would have done shortly after a bulk load."""
    if engine.dialect.name == "postgresql":
        # Autovacuum would analyse (and, PostgreSQL >= 13, vacuum) insert-only tables soon.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in TABLES:
                connection.execute(text(f"VACUUM (ANALYZE) {table.name}"))
    else:
        # Outside any transaction (the engine's "begin" hook would open BEGIN IMMEDIATE).
        raw = engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()


def seed(
    url: str,
    fleet: Fleet,
    *,
    now: datetime | None = None,
    chunk: int = DEFAULT_CHUNK,
    console: Console | None = None,
    settings: Settings | None = None,
) -> SeedResult:
    """Insert `fleet.count` people into the (migrated, empty) database at `url`.

    Rows are built and inserted in one process: on this 2-vCPU VM a helper process that built
    the next chunk in parallel made seeding slower, not faster (see docs/performance.md).
    """
    now = now or datetime.now(UTC)
    settings = settings or Settings()
    console = console or Console(stderr=True)
    # Encrypted columns (amina.vault) under the secret the server under test uses.
    vault.install(vault.Keyring([fleet.secret_key.encode()]))
    territory = load_territory(
        settings.territory_boundary_path, tolerance_m=settings.territory_tolerance_m
    )
    engine = make_engine(url)
    try:
        plan = _schedule(engine, settings, now)
        rows = 0
        started = time.perf_counter()
        with Progress(
            TextColumn("[bold]seeding[/bold] {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            task = progress.add_task(
                f"{fleet.count:,} devices ({engine.dialect.name})", total=fleet.count
            )
            for start in range(0, fleet.count, chunk):
                indices = range(start, min(start + chunk, fleet.count))
                batch = _rows(fleet, indices, plan, settings, territory)
                with engine.begin() as connection:
                    for table, values in zip(TABLES, batch, strict=True):
                        connection.execute(insert(table), values)
                        rows += len(values)
                progress.advance(task, len(indices))
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        _finish(engine)
        finished = time.perf_counter() - started
    finally:
        engine.dispose()
    return SeedResult(fleet.count, rows, inserted, finished, plan.last_monitoring_at)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.intake.seed",
        description="Seed N registered people (device, session, registration, monitoring state).",
    )
    parser.add_argument("--url", required=True, help="SQLAlchemy URL of a migrated, empty database")
    parser.add_argument("--devices", type=int, default=1_000, help="how many people/devices")
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK, help="people per transaction")
    args = parser.parse_args(argv)
    console = Console(stderr=True)
    result = seed(args.url, Fleet(args.devices), chunk=args.chunk, console=console)
    console.print(
        f"seeded {result.devices:,} devices ({result.rows:,} rows) in "
        f"{result.insert_seconds:.1f} s + {result.finish_seconds:.1f} s finishing"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
