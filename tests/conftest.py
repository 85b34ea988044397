"""Shared fixtures.

The suite runs on SQLite by default, and on PostgreSQL when `AMINA_TEST_DATABASE_URL` names a
server database to connect through (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres).

- Each test process migrates one template database with Alembic (tests migrate; they never
  `create_all`), then clones it for every database it needs.
- `db` / `session`: a shared database, each test inside a transaction that is rolled back
  (services' commits become savepoints).
- `live_url`: a fresh database of its own, for tests that run the CLI or a real server.
"""

from __future__ import annotations

import os
import secrets
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from amina import vault
from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.config import Settings
from amina.context import AppContext
from amina.db import Database, make_engine
from amina.notifications.repo import sent_sms
from amina.people import service as people
from amina.rules.calendar import MOSCOW
from amina.rules.eligibility import Purpose
from amina.schema import upgrade
from amina.web.app import create_app
from tests.support.migrant import Migrant
from tests.support.server import LiveServer

TEST_DB_ENV = "AMINA_TEST_DATABASE_URL"
# One secret for every in-process context, so data one test's helpers encrypt, its app reads.
TEST_SECRET = "test-secret-" + "k7Qx2vR9pL4mW8nZ" * 3
# Friday 20 November 2026, 10:00 in Moscow: a working day.
DEFAULT_NOW = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)


class DatabaseFactory:
    """Creates migrated databases by cloning one migrated template, and drops them at the end."""

    def __init__(self, server_url: str | None, workdir: Path) -> None:
        self.server_url = server_url
        self.workdir = workdir
        self.prefix = f"amina_t_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        self.created: list[str] = []
        self.template = self._new_url("template")
        engine = make_engine(self.template)
        upgrade(engine)
        engine.dispose()

    @property
    def is_postgres(self) -> bool:
        return self.server_url is not None

    def _admin(self) -> Engine:
        assert self.server_url is not None
        return create_engine(self.server_url, isolation_level="AUTOCOMMIT")

    def _new_url(self, suffix: str, template: str | None = None) -> str:
        name = f"{self.prefix}_{suffix}"
        if self.server_url is None:
            path = self.workdir / f"{name}.sqlite3"
            if template is not None:
                shutil.copyfile(make_url(template).database or "", path)
            return f"sqlite:///{path}"
        admin = self._admin()
        with admin.connect() as connection:
            clause = f" TEMPLATE {make_url(template).database}" if template else ""
            connection.execute(text(f'CREATE DATABASE "{name}"{clause}'))
        admin.dispose()
        self.created.append(name)
        return make_url(self.server_url).set(database=name).render_as_string(hide_password=False)

    def create(self) -> str:
        return self._new_url(uuid.uuid4().hex[:8], template=self.template)

    def drop_all(self) -> None:
        if self.server_url is None:
            return
        admin = self._admin()
        with admin.connect() as connection:
            for name in reversed(self.created):
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def keyring() -> vault.Keyring:
    """The keyring column types encrypt with (amina.vault), before any context exists."""
    return vault.install(vault.Keyring([TEST_SECRET.encode()]))


@pytest.fixture(scope="session")
def database_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseFactory]:
    server_url = os.environ.get(TEST_DB_ENV) or None  # empty means SQLite, as in .ci/run
    factory = DatabaseFactory(server_url, tmp_path_factory.mktemp("databases"))
    yield factory
    factory.drop_all()


@pytest.fixture(scope="session")
def shared_engine(database_factory: DatabaseFactory) -> Iterator[Engine]:
    engine = make_engine(database_factory.create())
    yield engine
    engine.dispose()


@pytest.fixture
def db(shared_engine: Engine, keyring: vault.Keyring) -> Iterator[Database]:
    """A Database whose units of work commit into savepoints of one rolled-back transaction."""
    vault.install(keyring)  # an earlier test's context may have installed another
    connection = shared_engine.connect()
    outer = connection.begin()
    sessions = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    # One connection, shared by the test and the app's thread, already serialises everything.
    yield Database(engine=shared_engine, sessions=sessions, serialize_writes=False)
    outer.rollback()
    connection.close()


@pytest.fixture
def session(db: Database) -> Iterator[Session]:
    with db.unit_of_work() as session:
        yield session


@pytest.fixture
def live_url(database_factory: DatabaseFactory) -> str:
    """A fresh, migrated database that really commits (for the CLI and real servers)."""
    return database_factory.create()


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(DEFAULT_NOW)


@pytest.fixture
def settings(tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Development settings; `@pytest.mark.settings(name=value, …)` changes some."""
    marker = request.node.get_closest_marker("settings")
    # No background threads in-process: tests share one database connection with the app.
    overrides = {
        "challenge_response_floor_s": 0.02,
        "secret_key": TEST_SECRET,
        "heartbeat_interval_s": 0,
        **(marker.kwargs if marker else {}),
    }
    return Settings(data_dir=tmp_path / "data", env="development", **overrides)


@pytest.fixture
def context(settings: Settings, db: Database, clock: FixedClock) -> AppContext:
    return AppContext(settings=settings, db=db, clock=clock)


@pytest.fixture
def live_server(
    live_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> Iterator[LiveServer]:
    """A running `amina serve` on a fresh database. Mark a test with
    `@pytest.mark.server_env(AMINA_NOW="…")` to give the server more settings."""
    marker = request.node.get_closest_marker("server_env")
    extra = dict(marker.kwargs) if marker else {}
    server = LiveServer(live_url, tmp_path / "server", extra_env=extra).start()
    yield server
    server.stop()


# -- in-process API tests ---------------------------------------------------------------------


@pytest.fixture
def client(context: AppContext) -> Iterator[TestClient]:
    with TestClient(create_app(context.settings, context=context)) as client:
        yield client


@dataclass(frozen=True)
class Recorded:
    person_id: uuid.UUID
    card_number: str
    birth_date: str
    phone: str
    passport: str
    citizenship: str


@pytest.fixture
def add_person(db: Database, clock: FixedClock) -> Callable[..., Recorded]:
    """Record a person (and issue a card) as the MMC would; keyword arguments override."""

    def add(**overrides: Any) -> Recorded:
        fields: dict[str, Any] = {
            "surname": "Karimov",
            "given_names": "Aziz",
            "birth_date": date(1995, 4, 12),
            "citizenship": "UZ",
            "passport_number": f"FA{secrets.randbelow(10**7):07d}",
            "phone": f"+99890{secrets.randbelow(10**7):07d}",
            "purpose": Purpose.WORK,
            "entry_date": date(2026, 9, 1),
            **overrides,
        }
        with db.unit_of_work() as session:
            actor = Actor("cli", "test")
            person = people.add_person(
                session, now=clock.now(), actor=actor, new=people.NewPerson(**fields)
            )
            card = people.issue_card(
                session, now=clock.now(), actor=actor, person_id=person.id, number=None
            )
            return Recorded(
                person.id,
                card.number,
                fields["birth_date"].isoformat(),
                person.phone,
                person_passport(fields),
                person.citizenship,
            )

    return add


def person_passport(fields: dict[str, Any]) -> str:
    return str(fields["passport_number"])


@pytest.fixture
def latest_sms(db: Database) -> Callable[[str], str]:
    def latest(phone: str) -> str:
        with db.unit_of_work(readonly=True) as session:
            messages = sent_sms(session, phone=phone, limit=1)
        assert messages, f"no SMS to {phone}"
        return messages[0].text

    return latest


@pytest.fixture
def migrant_for(
    client: TestClient, clock: FixedClock, latest_sms: Callable[[str], str]
) -> Callable[[Recorded], Migrant]:
    def make(person: Recorded) -> Migrant:
        return Migrant(client, latest_sms=latest_sms, now=clock.now, phone=person.phone)

    return make


@pytest.fixture
def signed_in(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> tuple[Recorded, Migrant]:
    person = add_person()
    migrant = migrant_for(person)
    migrant.sign_in(person.card_number, person.birth_date)
    return person, migrant


@pytest.fixture
def registered(signed_in: tuple[Recorded, Migrant]) -> tuple[Recorded, Migrant]:
    person, migrant = signed_in
    response = migrant.register()
    assert response.status_code == 201, response.text
    return person, migrant
