"""Set-based writes for the hot paths (report intake, the sweep, the outbox, the audit log).

On PostgreSQL the rows travel as one array per column, `INSERT … SELECT FROM unnest(…)` and
`UPDATE … FROM unnest(…)`: the statement text stays short, so the driver parses it once and
reuses it, however many rows a batch has. (Multi-row VALUES would be re-parsed for every batch:
psycopg caches statements of at most 4 KB and 50 parameters.) Elsewhere (SQLite) the same call
falls back to an ordinary executemany.

Table and column names come from the models' metadata, never from input.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Column, Connection, bindparam, insert, update
from sqlalchemy import types as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import DeclarativeBase, Session

from amina.binarray import ENCODERS
from amina.db import table_of

Row = dict[str, Any]


def _array_type(column: Column[Any]) -> str:
    """The element type of the column's array parameter (JSON goes as text, cast in SQL)."""
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    if isinstance(kind, sa.JSON):
        return "text"
    for sql_type, name in (
        (sa.Uuid, "uuid"),
        (sa.DateTime, "timestamptz"),
        (sa.Date, "date"),
        (sa.Boolean, "bool"),
        (sa.BigInteger, "int8"),
        (sa.Integer, "int4"),
        (sa.Float, "float8"),
        (sa.String, "text"),
    ):
        if isinstance(kind, sql_type):
            return name
    raise TypeError(f"no array type for {column.table.name}.{column.name}: {column.type!r}")


def _json(value: Any) -> str:
    return json.dumps(value, default=str)


@functools.lru_cache(maxsize=512)
def _column_kind(table: Any, name: str) -> tuple[str, bool]:
    """(the array's element type, whether values are JSON to serialise first), once per column
    (a Table hashes and compares by identity)."""
    column = table.c[name]
    kind = column.type
    if isinstance(kind, sa.TypeDecorator):
        kind = kind.impl_instance
    return _array_type(column), isinstance(kind, sa.JSON)


def _cast(table: Any, name: str) -> str:
    """The cast each element of the column's array takes in SQL (JSON goes as text)."""
    return "::jsonb" if _column_kind(table, name)[1] else ""


def _arrays(table: Any, rows: Sequence[Row]) -> tuple[list[str], list[str], dict[str, Any]]:
    """Each column's values as one array in PostgreSQL's binary format (`binarray`): datetimes
    must be aware (sent as the instant), enums are sent as their codes."""
    names = list(rows[0])
    params: list[str] = []
    values: dict[str, Any] = {}
    for index, name in enumerate(names):
        element, is_json = _column_kind(table, name)
        params.append(f"%(a{index})b::{element}[]")  # %b: sent in binary, no text escaping
        column_values = [row[name] for row in rows]
        if is_json:
            column_values = [None if v is None else _json(v) for v in column_values]
        values[f"a{index}"] = ENCODERS[element](column_values)
    return names, params, values


def insert_rows(
    session: Session,
    model: type[DeclarativeBase],
    rows: Sequence[Row],
    *,
    skip_conflicts_on: Sequence[str] | None = None,
    returning: str | tuple[str, ...] | None = None,
) -> list[Any]:
    """Insert `rows` (all with the same keys); with `skip_conflicts_on`, rows that would break
    that unique key are skipped. Returns the `returning` column of the rows inserted (a tuple
    of names: a tuple of values per row)."""
    if not rows:
        return []
    table = table_of(model)
    connection = session.connection()
    wanted = (returning,) if isinstance(returning, str) else tuple(returning or ())
    if connection.dialect.name != "postgresql":
        statement: Any = sqlite.insert(table)
        if skip_conflicts_on:
            statement = statement.on_conflict_do_nothing(index_elements=list(skip_conflicts_on))
        if wanted:
            result = connection.execute(
                statement.returning(*(table.c[n] for n in wanted)), list(rows)
            )
            found: list[Any] = [tuple(row) for row in result.all()]
            return _returned(found, returning)
        connection.execute(insert(table), list(rows))
        return []
    quote = connection.dialect.identifier_preparer.quote
    names, params, values = _arrays(table, rows)
    selected = ", ".join(f"c{i}{_cast(table, n)}" for i, n in enumerate(names))
    sql = (
        f"INSERT INTO {quote(table.name)} ({', '.join(map(quote, names))}) "  # noqa: S608
        f"SELECT {selected} FROM unnest({', '.join(params)}) "
        f"AS t({', '.join(f'c{i}' for i in range(len(names)))})"
    )
    if skip_conflicts_on:
        sql += f" ON CONFLICT ({', '.join(map(quote, skip_conflicts_on))}) DO NOTHING"
    if wanted:
        sql += f" RETURNING {', '.join(map(quote, wanted))}"
    return _returned(_execute_binary(connection, sql, values, returning=bool(wanted)), returning)


def _returned(found: list[Any], returning: str | tuple[str, ...] | None) -> list[Any]:
    """The rows' tuples, or their one value each when one column name was asked for."""
    return [row[0] for row in found] if isinstance(returning, str) else found


def update_rows(
    session: Session, model: type[DeclarativeBase], key: str, rows: Sequence[Row]
) -> None:
    """Update each row found by `key` with the row's other values (all rows, same keys)."""
    if not rows:
        return
    table = table_of(model)
    connection = session.connection()
    names = list(rows[0])
    if connection.dialect.name != "postgresql":
        statement = (
            update(table)
            .where(table.c[key] == bindparam(f"b_{key}"))
            .values({n: bindparam(f"b_{n}") for n in names if n != key})
        )
        connection.execute(statement, [{f"b_{n}": row[n] for n in names} for row in rows])
        return
    quote = connection.dialect.identifier_preparer.quote
    _, params, values = _arrays(table, rows)
    aliases = {n: f"c{i}" for i, n in enumerate(names)}
    assignments = ", ".join(
        f"{quote(n)} = v.{aliases[n]}{_cast(table, n)}" for n in names if n != key
    )
    sql = (
        f"UPDATE {quote(table.name)} SET {assignments} "  # noqa: S608 - names from metadata
        f"FROM unnest({', '.join(params)}) AS v({', '.join(aliases.values())}) "
        f"WHERE {quote(table.name)}.{quote(key)} = v.{aliases[key]}"
    )
    _execute_binary(connection, sql, values, returning=False)


def _execute_binary(
    connection: Connection, sql: str, values: dict[str, list[Any]], *, returning: bool
) -> list[Any]:
    """Run on the driver's cursor, whose `%b` placeholders send the arrays in binary: without
    the per-element text escaping that dominates a text-format dump."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, values)
        return [tuple(row) for row in cursor.fetchall()] if returning else []
    finally:
        cursor.close()
