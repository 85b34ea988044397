"""Set-based writes (amina.bulk), on whichever database the suite runs on."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.bulk import insert_rows, update_rows
from amina.notifications.models import Notification
from tests.conftest import DEFAULT_NOW, Recorded


def rows(person: Recorded, windows: list[str]) -> list[dict[str, object]]:
    return [
        {
            "id": uuid.uuid4(),
            "person_id": person.person_id,
            "kind": "reminder",
            "window": w,
            "params": {"deregistration_at": "2026-11-26T00:00:00+03:00", "n": i, "text": 'a"b\\c'},
            "created_at": DEFAULT_NOW,
        }
        for i, w in enumerate(windows)
    ]


def test_insert_skips_conflicts_and_returns_what_went_in(
    session: Session, add_person: object
) -> None:
    person: Recorded = add_person()  # type: ignore[operator]
    first = rows(person, ["a", "b"])
    assert sorted(
        insert_rows(
            session,
            Notification,
            first,
            returning="id",
            skip_conflicts_on=["person_id", "kind", "window"],
        )
    ) == sorted(r["id"] for r in first)
    again = rows(person, ["b", "c"])
    inserted = insert_rows(
        session,
        Notification,
        again,
        returning="id",
        skip_conflicts_on=["person_id", "kind", "window"],
    )
    assert inserted == [again[1]["id"]]
    stored = {n.window: n for n in session.scalars(select(Notification))}
    assert set(stored) == {"a", "b", "c"}
    assert stored["a"].params == first[0]["params"]  # JSON and awkward characters survive
    assert stored["a"].created_at == DEFAULT_NOW


def test_update_rows_by_key(session: Session, add_person: object) -> None:
    person: Recorded = add_person()  # type: ignore[operator]
    written = rows(person, ["x", "y"])
    insert_rows(session, Notification, written)
    later = DEFAULT_NOW + timedelta(hours=1)
    update_rows(session, Notification, "id", [{"id": written[1]["id"], "read_at": later}])
    session.expire_all()
    read = {n.window: n.read_at for n in session.scalars(select(Notification))}
    assert read == {"x": None, "y": later}
    assert insert_rows(session, Notification, []) == []
    update_rows(session, Notification, "id", [])


def test_naive_datetimes_are_refused(session: Session, add_person: object) -> None:
    person: Recorded = add_person()  # type: ignore[operator]
    bad = rows(person, ["n"])
    bad[0]["created_at"] = datetime(2026, 11, 20, 10, 0)  # noqa: DTZ001
    with pytest.raises(Exception, match="naive"):
        insert_rows(session, Notification, bad)
