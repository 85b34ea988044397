"""The database: engine, declarative base, column types, and the one unit of work that commits.

SQLite (the embedded default) runs in WAL mode with full fsync, and write transactions start
with BEGIN IMMEDIATE so that two writers queue on the busy timeout instead of failing on a lock
upgrade. PostgreSQL is the production database.

Nothing here waits without a bound: the in-process SQLite write lock is taken with a timeout
(`write_wait_s`) and a connection is checked out of the pool with one (`POOL_TIMEOUT_S`); past
either bound the unit of work raises `Overloaded` (503 + Retry-After) before it has changed
anything, instead of holding a pool thread hostage.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, DateTime, Engine, Enum, MetaData, Table, create_engine, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, Dialect, make_url
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from amina.errors import DomainError, Overloaded

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLITE_BUSY_TIMEOUT_MS = 30_000
# How long a unit of work may wait for a pooled connection before it sheds with a 503.
POOL_TIMEOUT_S = 5.0
# How long a SQLite writer of this process may wait for the in-process write lock.
WRITE_WAIT_S = 10.0


class UtcDateTime(TypeDecorator[datetime]):
    """An instant stored in UTC and always returned timezone-aware, on SQLite as on PostgreSQL.

    Naive datetimes are refused: a naive "now" is exactly the bug this type exists to stop.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSONB on PostgreSQL, JSON text elsewhere.
JsonDocument = JSON().with_variant(postgresql.JSONB(), "postgresql")


def enum_column(enum_cls: type[StrEnum], length: int = 32) -> Enum:
    """A StrEnum stored as its stable lowercase code in a VARCHAR (never a native DB enum, so
    adding a member needs no type migration)."""
    return Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def insert_ignoring_conflict(
    session: Session, table: Any, values: dict[str, Any], conflict_columns: list[str]
) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on both databases; True if a row was inserted.

    The unique constraint decides, so two concurrent writers cannot both insert: this is how
    "exactly once per key" is kept without a read-then-write race. RETURNING (not rowcount,
    which a driver may report as -1) says whether the row went in.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    key = table.__table__.primary_key.columns.values()[0]
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=conflict_columns)
        .returning(key)
    )
    return session.execute(statement).first() is not None


def table_of(model: type[DeclarativeBase]) -> Table:
    """A mapped class's table, for set-based Core statements that skip the ORM's overhead."""
    return cast(Table, model.__table__)


def new_id() -> uuid.UUID:
    return uuid.uuid4()


def is_sqlite(url: str | URL) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        readonly = connection.get_execution_options().get("amina_readonly", False)
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def make_engine(
    url: str | URL, *, pool_size: int = 10, echo: bool = False, pre_ping: bool = True
) -> Engine:
    if is_sqlite(url):
        database = make_url(url).database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        # Pooled, so the PRAGMAs run once per connection and closing does not checkpoint the
        # WAL after every request. A connection is used by one thread at a time, but not
        # always the one that opened it (the ASGI threadpool, test clients).
        engine = create_engine(
            url,
            echo=echo,
            pool_size=pool_size,
            max_overflow=pool_size,
            pool_timeout=POOL_TIMEOUT_S,
            connect_args={"check_same_thread": False},
        )
        _configure_sqlite(engine)
        return engine
    return create_engine(
        url,
        echo=echo,
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_timeout=POOL_TIMEOUT_S,
        pool_pre_ping=pre_ping,
        connect_args={"connect_timeout": 10},
    )


@dataclass
class Database:
    """The engine and its session factory, built from settings when the process starts."""

    engine: Engine
    sessions: sessionmaker[Session]
    # SQLite has one writer at a time. Queuing writers of this process on a lock, instead of
    # letting them poll SQLite's busy handler, keeps the tail latency down under load; other
    # processes still wait on the busy timeout.
    serialize_writes: bool = True
    write_lock: threading.Lock = field(default_factory=threading.Lock)
    write_wait_s: float = WRITE_WAIT_S

    @classmethod
    def connect(cls, url: str | URL, *, pool_size: int = 10, pre_ping: bool = True) -> Database:
        engine = make_engine(url, pool_size=pool_size, pre_ping=pre_ping)
        return cls(engine, sessionmaker(engine, expire_on_commit=False, autoflush=True))

    def for_writers(self, threads: int) -> Database:
        """The database as the group-commit writer's threads use it (`groupcommit.py`).

        On PostgreSQL: an engine of its own, one connection per thread, checked out without a
        liveness ping. The ping is a round trip before every group's transaction, and each
        round trip of that thread also waits for the GIL while the event loop holds it. A
        connection that died while idle is found by the next group instead, which
        `GroupWriter` then runs job by job, each once more on a fresh connection if its own
        turns out lost. On SQLite (one writer, no ping), or when sessions are
        bound to something other than the engine (a test's one outer transaction): this one."""
        if self.is_sqlite or self.sessions.kw.get("bind") is not self.engine:
            return self
        return Database.connect(self.engine.url, pool_size=max(1, threads), pre_ping=False)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def unit_of_work(self, *, readonly: bool = False) -> Iterator[Session]:
        """The only place that commits: everything inside succeeds together or not at all.

        On success the transaction is committed (durably: SQLite fsyncs, PostgreSQL waits for
        its WAL flush) before control returns to the caller.
        """
        serialise = self.serialize_writes and self.is_sqlite and not readonly
        if serialise and not self.write_lock.acquire(timeout=self.write_wait_s):
            raise Overloaded("the database is busy; try again shortly", retry_after_s=2)
        session = self.sessions()
        try:
            # Check the connection out now, with a bound, rather than at the first statement.
            session.connection(execution_options={"amina_readonly": True} if readonly else {})
        except PoolTimeout:
            session.close()
            if serialise:
                self.write_lock.release()
            raise Overloaded("the database is busy; try again shortly", retry_after_s=2) from None
        except BaseException:
            session.close()
            if serialise:
                self.write_lock.release()
            raise
        try:
            yield session
            if not readonly:
                session.commit()
            # A readonly unit ends in close(), which rolls back without expiring what was read.
        except DomainError as error:
            if error.keep_changes and not readonly:
                session.commit()
            else:
                session.rollback()
            raise
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            if serialise:
                self.write_lock.release()

    def dispose(self) -> None:
        self.engine.dispose()
