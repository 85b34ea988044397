"""A column's values as one PostgreSQL array, in its binary wire format, built in one pass.

`bulk` sends a batch of rows as one array per column (`INSERT … SELECT FROM unnest(…)`).
psycopg's list dumper builds such an array in Python, element by element, asking for each
element's dumper as it goes: 15–20 % of the server's GIL time under a load of 100-report
batches (py-spy, docs/performance.md, "Eighth run"). The element types here are few and fixed
(the models' columns), so each has one encoder that does the whole column at once: a
`struct.pack` for numbers, one join of the elements' bytes for the rest.

The format (PostgreSQL's `array_send`): the number of dimensions (1), whether any element is
NULL, the element type's OID, the length and the lower bound (1), then each element as its
length in bytes (-1: NULL) and its bytes. Each encoder returns a `bytes` subclass that names
the array's type, and a psycopg dumper registered for it sends it as it is.
"""

from __future__ import annotations

import enum
import struct
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from itertools import chain, repeat
from typing import Any

import psycopg
from psycopg.adapt import Dumper
from psycopg.pq import Format

_HEADER = struct.Struct(">iiiii")
_NULL = struct.Struct(">i").pack(-1)
_LENGTH = struct.Struct(">i").pack
_LEN16 = _LENGTH(16)
_TRUE, _FALSE = _LENGTH(1) + b"\x01", _LENGTH(1) + b"\x00"
_PG_EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_PG_EPOCH_DAY = date(2000, 1, 1).toordinal()
_MICROSECOND = timedelta(microseconds=1)
_UNSET = object()


class BinaryArray(bytes):
    """An array in PostgreSQL's binary format; subclasses name the array type (`oid`)."""

    oid = 0


def _array_class(name: str, array_oid: int) -> type[BinaryArray]:
    cls = type(name, (BinaryArray,), {"oid": array_oid})

    class _Dump(Dumper):
        format = Format.BINARY
        oid = array_oid

        def dump(self, obj: Any) -> bytes:
            return bytes(obj)

    psycopg.adapters.register_dumper(cls, _Dump)
    return cls


def _packed(cls: type[BinaryArray], element_oid: int, size: int, code: str) -> Encoder:
    """Fixed-size elements, packed in one `struct` call (NULLs, which are rare, element by
    element)."""
    length = _LENGTH(size)

    def encode(values: Sequence[Any]) -> BinaryArray:
        if None in values:
            body = b"".join(
                _NULL if v is None else length + struct.pack(">" + code, v) for v in values
            )
            return cls(_HEADER.pack(1, 1, element_oid, len(values), 1) + body)
        body = struct.pack(
            ">" + ("i" + code) * len(values), *chain.from_iterable(zip(repeat(size), values))
        )
        return cls(_HEADER.pack(1, 0, element_oid, len(values), 1) + body)

    return encode


def _joined(cls: type[BinaryArray], element_oid: int, element: Callable[[Any], bytes]) -> Encoder:
    """Elements of their own lengths: `element` gives each one's length and bytes. A value
    that is the very object before it (the request's device, person and arrival instant, on
    each of its rows) reuses its bytes."""

    def encode(values: Sequence[Any]) -> BinaryArray:
        parts: list[bytes] = []
        append = parts.append
        last: Any = _UNSET
        data, nulls = b"", 0
        for value in values:
            if value is not last:
                last = value
                if value is None:
                    data, nulls = _NULL, 1
                else:
                    data = element(value)
            append(data)
        return cls(_HEADER.pack(1, nulls, element_oid, len(values), 1) + b"".join(parts))

    return encode


def _uuid(value: uuid.UUID) -> bytes:
    return _LEN16 + value.bytes


def _timestamptz(value: datetime) -> bytes:
    if value.tzinfo is None:  # the same guard as UtcDateTime's
        raise ValueError("naive datetime in a bulk write")
    return b"\x00\x00\x00\x08" + ((value - _PG_EPOCH) // _MICROSECOND).to_bytes(8, signed=True)


def _date(value: date) -> bytes:
    return b"\x00\x00\x00\x04" + (value.toordinal() - _PG_EPOCH_DAY).to_bytes(4, signed=True)


def _bool(value: bool) -> bytes:
    return _TRUE if value else _FALSE


def _text(value: Any) -> bytes:
    text: str = value.value if isinstance(value, enum.Enum) else value  # enums: their codes
    data = text.encode()
    return _LENGTH(len(data)) + data


Encoder = Callable[[Sequence[Any]], BinaryArray]

# element type name: (its OID, its array's OID)
_OIDS = {
    "uuid": (2950, 2951),
    "timestamptz": (1184, 1185),
    "date": (1082, 1182),
    "bool": (16, 1000),
    "int4": (23, 1007),
    "int8": (20, 1016),
    "float8": (701, 1022),
    "text": (25, 1009),
}
_ARRAYS = {name: _array_class(f"{name.title()}Array", array) for name, (_, array) in _OIDS.items()}


def _encoder(name: str) -> Encoder:
    element, cls = _OIDS[name][0], _ARRAYS[name]
    if name == "int4":
        return _packed(cls, element, 4, "i")
    if name == "int8":
        return _packed(cls, element, 8, "q")
    if name == "float8":
        return _packed(cls, element, 8, "d")
    joined: dict[str, Callable[[Any], bytes]] = {
        "uuid": _uuid,
        "timestamptz": _timestamptz,
        "date": _date,
        "bool": _bool,
        "text": _text,
    }
    return _joined(cls, element, joined[name])


ENCODERS: dict[str, Encoder] = {name: _encoder(name) for name in _OIDS}
