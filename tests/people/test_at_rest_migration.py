"""Migrations 0951/0952 on a database with data: plain personal data is encrypted in place and
found by the new lookups, and an existing unkeyed audit chain still verifies (SQLite and
PostgreSQL)."""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Engine, text

from amina.audit.service import GENESIS_HASH, Actor, event_hash, record, verify
from amina.db import Database, make_engine
from amina.people import lookup
from amina.people import service as people
from amina.schema import upgrade
from tests.conftest import DatabaseFactory

AT = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def _empty(factory: DatabaseFactory) -> Engine:
    return make_engine(factory._new_url(f"m{uuid.uuid4().hex[:8]}"))


def _legacy_event(seq: int, prev: str, person_id: uuid.UUID) -> dict[str, object]:
    event: dict[str, object] = {
        "seq": seq,
        "at": AT,
        "actor_type": "cli",
        "actor_id": "operator",
        "action": "person.added",
        "subject_type": "person",
        "subject_id": str(person_id),
        "person_id": person_id,
        "reason": None,
        "data": {"n": seq},
        "prev_hash": prev,
    }
    event["hash"] = event_hash(prev, event)
    return event


def test_existing_rows_are_encrypted_and_the_old_chain_still_verifies(
    database_factory: DatabaseFactory,
) -> None:
    engine = _empty(database_factory)
    upgrade(engine, "0003")
    sqlite = engine.dialect.name == "sqlite"
    person_id = uuid.uuid4()

    def uid(value: uuid.UUID) -> object:
        return value.hex if sqlite else value

    at = AT.replace(tzinfo=None) if sqlite else AT
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO persons (id, surname, given_names, birth_date, citizenship, phone, "
                "purpose, entry_date, category, residence_permit, language, created_at, "
                "updated_at) VALUES (:id, 'Rahimova', 'Dilnoza', :born, 'TJ', '+992900001122', "
                "'work', :entry, 'none', false, 'tg', :at, :at)"
            ),
            {"id": uid(person_id), "born": date(1990, 3, 8), "entry": date(2026, 9, 1), "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO documents (id, person_id, kind, country, number, status, created_at) "
                "VALUES (:id, :person, 'passport', 'TJ', '400123456', 'valid', :at)"
            ),
            {"id": uid(uuid.uuid4()), "person": uid(person_id), "at": at},
        )
        prev = GENESIS_HASH
        for seq in (1, 2):
            event = _legacy_event(seq, prev, person_id)
            prev = str(event["hash"])
            connection.execute(
                text(
                    "INSERT INTO audit_events (seq, at, actor_type, actor_id, action, "
                    "subject_type, subject_id, person_id, reason, data, prev_hash, hash) VALUES "
                    "(:seq, :at, :actor_type, :actor_id, :action, :subject_type, :subject_id, "
                    ":person_id, :reason, :data, :prev_hash, :hash)"
                ),
                {
                    **event,
                    "at": at,
                    "person_id": uid(person_id),
                    "data": json.dumps(event["data"]),
                },
            )
        connection.execute(
            text("UPDATE audit_head SET seq = 2, hash = :h WHERE id = 1"), {"h": prev}
        )

    upgrade(engine)  # 0951 and 0952, with the test keyring installed

    with engine.connect() as connection:
        raw = " ".join(
            str(value)
            for table in ("persons", "documents")
            for row in connection.execute(text(f"SELECT * FROM {table}")).all()  # noqa: S608
            for value in row
        )
    assert "Rahimova" not in raw and "400123456" not in raw and "992900001122" not in raw
    assert hashlib.sha256(b"+992900001122").hexdigest() not in raw  # keyed, not a plain digest
    db = Database.connect(engine.url.render_as_string(hide_password=False), pool_size=1)
    try:
        with db.unit_of_work() as session:
            person = people.get_person(session, person_id)
            assert (person.surname, person.given_names, person.phone) == (
                "Rahimova",
                "Dilnoza",
                "+992900001122",
            )
            assert person.birth_date == date(1990, 3, 8)
            assert lookup.persons_by_passport(session, "TJ", "400 123 456") == [person_id]
            assert lookup.persons_by_phone(session, "+992900001122") == [person_id]
            assert lookup.persons_by_surname_birth_date(session, "rahimova", date(1990, 3, 8)) == [
                person_id
            ]
            # The unkeyed events still verify, and new events are keyed after them.
            assert verify(session).ok
            record(
                session,
                now=AT,
                actor=Actor("cli", "operator"),
                action="card.issued",
                subject_type="person",
                subject_id=person_id,
            )
        with db.unit_of_work(readonly=True) as session:
            result = verify(session)
            assert result.ok and result.events == 3
    finally:
        db.dispose()
        engine.dispose()
