"""`amina.binarray`: a column as one PostgreSQL array in binary, the bytes psycopg's own list
dumper makes, and (on PostgreSQL) the values that come back out of it."""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from psycopg.adapt import PyFormat, Transformer
from sqlalchemy.orm import Session

from amina.binarray import ENCODERS


class Colour(enum.StrEnum):
    RED = "red"


MOSCOW = timezone(timedelta(hours=3))
COLUMNS: dict[str, list[Any]] = {
    "uuid": [uuid.uuid4(), uuid.UUID(int=0), uuid.UUID(int=2**128 - 1)],
    "timestamptz": [
        datetime(2026, 12, 7, 21, 0, 0, 123456, tzinfo=UTC),
        datetime(2026, 12, 8, 0, 30, tzinfo=MOSCOW),
        datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),  # before PostgreSQL's epoch
        datetime(1, 1, 1, tzinfo=UTC),
    ],
    "date": [date(2026, 12, 7), date(2000, 1, 1), date(1970, 1, 1)],
    "bool": [True, False, True],
    "int4": [0, -1, 2**31 - 1, -(2**31)],
    "int8": [0, -1, 2**63 - 1, -(2**63)],
    "float8": [55.751234567891, -0.0, 1e-320, 37, 1.7976931348623157e308],
    "text": ["gps", "", "ё ü 中 \U0001f600", 'a"b\\c{},'],
}


def psycopg_bytes(element: str, values: list[Any]) -> bytes:
    """What psycopg's list dumper sends for the same values."""
    if element == "int4":
        from psycopg.types.numeric import Int4

        values = [None if v is None else Int4(v) for v in values]
    if element == "int8":
        from psycopg.types.numeric import Int8

        values = [None if v is None else Int8(v) for v in values]
    if element == "float8":
        values = [None if v is None else float(v) for v in values]
    return bytes(Transformer().get_dumper(values, PyFormat.BINARY).dump(values) or b"")


@pytest.mark.parametrize("element", list(COLUMNS))
@pytest.mark.parametrize("nulls", [False, True], ids=["no NULL", "a NULL"])
def test_the_bytes_are_psycopgs(element: str, nulls: bool) -> None:
    values = COLUMNS[element] + ([None] if nulls else [])
    assert bytes(ENCODERS[element](values)) == psycopg_bytes(element, values)


def test_enums_go_as_their_codes_and_naive_instants_are_refused() -> None:
    assert ENCODERS["text"]([Colour.RED]) == ENCODERS["text"](["red"])
    with pytest.raises(ValueError, match="naive"):
        ENCODERS["timestamptz"]([datetime(2026, 12, 7, tzinfo=UTC).replace(tzinfo=None)])


@pytest.mark.parametrize("element", list(COLUMNS))
def test_postgresql_reads_back_the_values(session: Session, element: str) -> None:
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's own array format")
    values = COLUMNS[element] + [None]
    cursor = session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(
        f"SELECT v FROM unnest(%(a)b::{element}[]) WITH ORDINALITY AS t(v, n) ORDER BY n",  # noqa: S608 - a type name from COLUMNS
        {"a": ENCODERS[element](values)},
    )
    back = [row[0] for row in cursor.fetchall()]
    assert back == values
