"""Core statements run on the driver's own cursor, for the report-intake hot path.

A `DriverStatement` is a SQLAlchemy Core statement compiled ONCE for a dialect, with the bind
and result processors of its columns' types taken from SQLAlchemy itself, so values go in and
come out exactly as they do through `session.execute` (UTC instants, UUIDs, enums, booleans on
SQLite), without SQLAlchemy's per-execution work (cache-key generation, parameter processing
through the compiled object, result-set metadata, Row objects). That work was about a fifth
of a signed report's CPU (docs/performance.md).

It runs inside the caller's unit of work: `rows(session, params)` takes the session's
connection (so the statement is part of the same transaction and commits with it) and flushes
the ORM first if it has pending changes, so a raw read never misses an ORM write of the same
transaction. On PostgreSQL the statement is prepared server-side (psycopg, `prepare=True`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

Processor = Callable[[Any], Any] | None


class DriverStatement:
    """One statement, one dialect. Thread-safe: it holds no per-execution state."""

    def __init__(self, statement: ClauseElement, dialect: Dialect) -> None:
        compiled = cast(SQLCompiler, statement.compile(dialect=dialect))
        self.sql = compiled.string
        self.postgres = dialect.name == "postgresql"
        binds = compiled.binds
        names = list(compiled.positiontup or []) if compiled.positional else list(binds)
        self._positional = bool(compiled.positional)
        # (name in the SQL, caller's key or None for a constant, constant, processor)
        self._binds: list[tuple[str, str | None, Any, Processor]] = []
        for name in names:
            bind = binds[name]
            processor = bind.type.dialect_impl(dialect).bind_processor(dialect)
            if bind.required:  # bindparam("name") with no value: the caller gives it
                self._binds.append((name, bind.key, None, processor))
            else:  # a constant of the statement (literal(), .values(x=None), an enum member)
                self._binds.append((name, None, bind.effective_value, processor))
        self._dialect = dialect
        self._columns: Sequence[Any] = list(getattr(statement, "exported_columns", ()))
        if not self._columns:
            raise ValueError("a DriverStatement returns rows: a SELECT, or a write RETURNING")
        # Chosen at the first execution: some depend on the driver's type codes.
        self._results: list[Processor] | None = None
        self._plain = False

    def _parameters(self, params: Mapping[str, Any]) -> Any:
        values: list[tuple[str, Any]] = []
        for name, key, constant, processor in self._binds:
            value = constant if key is None else params[key]
            if processor is not None and value is not None:
                value = processor(value)
            values.append((name, value))
        if self._positional:
            return tuple(value for _, value in values)
        return dict(values)

    def _processors(self, description: Sequence[Any]) -> list[Processor]:
        if self._results is None:
            dialect = self._dialect
            self._results = [
                column.type.dialect_impl(dialect).result_processor(dialect, entry[1])
                for column, entry in zip(self._columns, description, strict=True)
            ]
            self._plain = all(p is None for p in self._results)
        return self._results

    def rows(self, session: Session, params: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run it in the session's transaction; the rows, converted as SQLAlchemy would."""
        if session.identity_map or session.new:
            session.flush()  # an ORM write earlier in this transaction must be visible
        parameters = self._parameters(params)
        if self.postgres:
            cursor = _cursor(session)
            cursor.execute(self.sql, parameters, prepare=True)
            fetched = cursor.fetchall()
            description = cursor.description if self._results is None else ()
        else:
            driver: Any = session.connection().connection.driver_connection
            cursor = driver.execute(self.sql, parameters)
            try:
                fetched = cursor.fetchall()
                description = cursor.description if self._results is None else ()
            finally:
                cursor.close()
        if not fetched:
            return []
        processors = self._processors(description)
        if self._plain:
            return [tuple(row) for row in fetched]
        return [
            tuple(
                value if p is None or value is None else p(value)
                for p, value in zip(processors, row, strict=True)
            )
            for row in fetched
        ]


_CURSOR = "amina.rawsql.cursor"


def _cursor(session: Session) -> Any:
    """One driver cursor per transaction of the session (its connection does not change
    within a transaction; a new transaction may have another connection from the pool)."""
    transaction = session.get_transaction()
    found = session.info.get(_CURSOR)
    if found is not None and found[0] is transaction and transaction is not None:
        return found[1]
    driver: Any = session.connection().connection.driver_connection
    cursor = driver.cursor()
    session.info[_CURSOR] = (session.get_transaction(), cursor)
    return cursor


class DriverStatements:
    """A statement's compiled form per dialect name, built on first use."""

    def __init__(self, build: Callable[[str], ClauseElement]) -> None:
        self._build = build  # given the dialect's name
        self._compiled: dict[str, DriverStatement] = {}

    def on(self, session: Session) -> DriverStatement:
        dialect = session.get_bind().dialect
        found = self._compiled.get(dialect.name)
        if found is None:
            found = DriverStatement(self._build(dialect.name), dialect)
            self._compiled[dialect.name] = found
        return found
