"""Seeding the console bench's population as the application stores it (issue 9's vault).

Names, phones, birth dates and document numbers are encrypted in Python with the process's
keyring (`Keyring.encrypt`, a fresh nonce per value, exactly what `EncryptedText` binds) and
their keyed lookup hashes computed with `Keyring.lookup` over the same normal forms
(`people.ids`) the models' INSERT defaults use; rows travel by COPY in batches. What holds no
personal data (registrations, monitoring rows, one other agency's event per person, the one
person's 2,880 reports) is generated server-side with generate_series.

Person g (1..N) has id md5('p' || g), surname "S{g mod 60000}" (so a surname + birth date
matches about N/60,000 people), birth date 1970-01-01 + g mod 15000 days, phone
+99890{g:07d}, card 77{g:010d} and passport FA{g:08d} (citizenship UZ).
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text

from amina import vault
from amina.db import Database
from amina.people import ids
from amina.people.models import CARD_COUNTRY, DocumentKind

BATCH = 20_000
CITIZENSHIP = "UZ"
PERSON_COLUMNS = (
    "id",
    "surname_enc",
    "given_names_enc",
    "birth_date_enc",
    "citizenship",
    "phone_enc",
    "phone_hash",
    "surname_birth_hash",
    "purpose",
    "entry_date",
    "category",
    "residence_permit",
    "language",
    "created_at",
    "updated_at",
)

DOCUMENT_COLUMNS = (
    "id",
    "person_id",
    "kind",
    "country",
    "number_enc",
    "number_hash",
    "status",
    "created_at",
)

SERVER_SIDE = """
INSERT INTO registrations (id, person_id, status, address, registered_at, test_mode,
                           consent_version, consent_at)
SELECT md5('r' || g)::uuid, md5('p' || g)::uuid, 'active', 'ММЦ Сахарово',
       :now - interval '40 days', false, '2025-09-01', :now
FROM generate_series(1, :n) AS g;

INSERT INTO monitoring_states (person_id, registration_id, last_monitoring_at,
                               last_monitoring_source, next_step, next_step_at, updated_at)
SELECT md5('p' || g)::uuid, md5('r' || g)::uuid, :now - interval '1 hour', 'report', 'reminder',
       :now + interval '2 days' + (g % 1000) * interval '1 minute', :now
FROM generate_series(1, :n) AS g;

INSERT INTO service_keys (id, name, key_hash, created_at)
VALUES (md5('k1')::uuid, 'bench agency', md5('k1') || md5('k2'), :now);

-- One event from another agency per person, so the timeline's read of them meets a full table.
INSERT INTO integration_events (id, source, source_ref, type, occurred_at, received_at,
                                service_key_id, person_id, payload, outcome)
SELECT md5('e' || g)::uuid, 'bench agency', 'ref-' || g, 'registered_elsewhere',
       :now - interval '100 days', :now - interval '100 days', md5('k1')::uuid,
       md5('p' || g)::uuid, '{}', 'recorded'
FROM generate_series(1, :n) AS g;

INSERT INTO devices (id, person_id, platform, created_at)
VALUES (md5('d1')::uuid, md5('p1')::uuid, 'android', :now);

INSERT INTO location_reports (device_id, client_id, person_id, recorded_at, received_at, lat, lon,
                              accuracy_m, source, mock, heartbeat, placement, impossible_speed,
                              counted)
SELECT md5('d1')::uuid, md5('l' || g)::uuid, md5('p1')::uuid,
       :now - g * interval '15 minutes', :now - g * interval '15 minutes',
       55.75 + (g % 50) * 0.001, 37.6 + (g % 70) * 0.001, 25 + (g % 7) * 40, 'fused',
       g % 97 = 0, false, 'inside', g % 89 = 0, true
FROM generate_series(0, 2879) AS g;
"""


def md5_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(hashlib.md5(value.encode()).hexdigest())  # noqa: S324 - ids, not security


def person_id(g: int) -> uuid.UUID:
    return md5_uuid(f"p{g}")


def surname(g: int) -> str:
    return f"S{g % 60000}"


def birth_date(g: int) -> date:
    return date(1970, 1, 1) + timedelta(days=g % 15000)


def phone(g: int) -> str:
    return f"+99890{g:07d}"


def card(g: int) -> str:
    return f"77{g:010d}"


def passport(g: int) -> str:
    return f"FA{g:08d}"


def _person_rows(keyring: vault.Keyring, first: int, last: int, now: datetime) -> Iterator[Any]:
    for g in range(first, last + 1):
        name, born, tel = surname(g), birth_date(g), phone(g)
        yield (
            person_id(g),
            keyring.encrypt("name", name),
            keyring.encrypt("name", "Person"),
            keyring.encrypt("birth-date", born.isoformat()),
            CITIZENSHIP,
            keyring.encrypt("phone", tel),
            keyring.lookup("phone", ids.lookup_phone(tel)),
            keyring.lookup("surname-birth-date", ids.surname_birth_lookup_text(name, born)),
            "work",
            date(2025, 6, 1),
            "none",
            False,
            "ru",
            now,
            now,
        )


def _document_rows(keyring: vault.Keyring, first: int, last: int, now: datetime) -> Iterator[Any]:
    for g in range(first, last + 1):
        pid = person_id(g)
        for kind, country, number, tag in (
            (DocumentKind.CARD, CARD_COUNTRY, card(g), "c"),
            (DocumentKind.PASSPORT, CITIZENSHIP, passport(g), "f"),
        ):
            lookup_text = ids.document_lookup_text(kind.value, country, number)
            yield (
                md5_uuid(f"{tag}{g}"),
                pid,
                kind.value,
                country,
                keyring.encrypt("document-number", number),
                keyring.lookup("document", lookup_text),
                "valid",
                now,
            )


def _copy(
    connection: Connection, table: str, columns: tuple[str, ...], rows: Iterator[Any]
) -> None:
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def seed(db: Database, keyring: vault.Keyring, population: int, now: datetime) -> float:
    """Seed and VACUUM ANALYZE; returns the seconds it took."""
    started = time.perf_counter()
    for first in range(1, population + 1, BATCH):
        last = min(population, first + BATCH - 1)
        with db.engine.begin() as connection:
            _copy(connection, "persons", PERSON_COLUMNS, _person_rows(keyring, first, last, now))
            _copy(
                connection,
                "documents",
                DOCUMENT_COLUMNS,
                _document_rows(keyring, first, last, now),
            )
        if last % 200_000 == 0 or last == population:
            print(f"  {last:,} persons ({time.perf_counter() - started:.0f} s)", flush=True)
    with db.engine.begin() as connection:
        for statement in filter(str.strip, SERVER_SIDE.split(";")):
            connection.execute(text(statement), {"n": population, "now": now})
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started
