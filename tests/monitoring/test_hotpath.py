"""The intake hot path (issue 8): fast path taken, same-day shortcut, strict types, control
characters, caches that never outlive a revocation, the calendar fingerprint, and shedding."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select

from amina.audit.service import Actor
from amina.calendar.service import set_override
from amina.context import AppContext
from amina.db import Database
from amina.errors import Overloaded
from amina.groupcommit import GroupWriter
from amina.monitoring.models import LocationReport, MonitoringState
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def state_of(db: Database, person_id: uuid.UUID) -> MonitoringState:
    with db.unit_of_work(readonly=True) as session:
        state = session.get(MonitoringState, person_id)
        assert state is not None
        return state


def test_a_plain_report_takes_the_fast_path(registered: Registered, context: AppContext) -> None:
    _, migrant = registered
    before = context.intake.fast_writes
    report = migrant.location(ago=timedelta(minutes=-1))
    body = migrant.report(report).json()
    assert body["accepted"] == [report["id"]]
    assert context.intake.fast_writes == before + 1
    assert migrant.me()["monitoring"] == body["monitoring"]


def test_same_day_report_moves_only_the_instant(
    registered: Registered, context: AppContext, db: Database
) -> None:
    person, migrant = registered
    migrant.report(migrant.location(ago=timedelta(minutes=-1)))
    first = state_of(db, person.person_id)
    later = migrant.location(ago=timedelta(minutes=-3))
    body = migrant.report(later).json()
    second = state_of(db, person.person_id)
    assert second.last_monitoring_at is not None and first.last_monitoring_at is not None
    assert second.last_monitoring_at > first.last_monitoring_at
    assert (second.next_step, second.next_step_at) == (first.next_step, first.next_step_at)
    assert second.last_step is None
    assert body["monitoring"] == migrant.me()["monitoring"]


def test_the_next_day_recomputes_the_schedule(
    registered: Registered, context: AppContext, db: Database, clock: object
) -> None:
    person, migrant = registered
    migrant.report(migrant.location(ago=timedelta(minutes=-1)))
    first = state_of(db, person.person_id)
    clock.advance(timedelta(days=3))  # type: ignore[attr-defined]  # Monday: L moves
    migrant.refresh()
    assert migrant.report(migrant.location(ago=timedelta(minutes=-1))).status_code == 200
    second = state_of(db, person.person_id)
    assert second.next_step_at is not None and first.next_step_at is not None
    assert second.next_step_at > first.next_step_at
    assert second.next_step_at == state_of(db, person.person_id).next_step_at
    assert migrant.me()["monitoring"]["reminder_at"] is not None


@pytest.mark.parametrize(
    ("field", "value"),
    [("lat", True), ("lat", "55.7"), ("lon", "37.6"), ("accuracy_m", False), ("mock", "yes")],
)
def test_wrong_json_types_are_refused_with_422(
    registered: Registered, db: Database, field: str, value: object
) -> None:
    _, migrant = registered
    report = {**migrant.location(), field: value}
    response = migrant.report(report)
    assert response.status_code == 422, response.text
    assert response.json()["error"]["code"] == "invalid_request"
    with db.unit_of_work(readonly=True) as session:
        assert (
            session.scalar(
                select(LocationReport.id).where(LocationReport.client_id == uuid.UUID(report["id"]))
            )
            is None
        )


@pytest.mark.parametrize("text", ["gps\x00", "fu\x07sed", "2026-11-20T10:00:00+03:00\n"])
def test_control_characters_are_refused_with_422(registered: Registered, text: str) -> None:
    _, migrant = registered
    field = "source" if not text.startswith("2026") else "recorded_at"
    response = migrant.report({**migrant.location(), field: text})
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid_request"


def test_integers_are_still_numbers(registered: Registered) -> None:
    _, migrant = registered
    report = {**migrant.location(), "lat": 55, "lon": 37, "accuracy_m": 10}
    assert migrant.report(report).json()["accepted"] == [report["id"]]


def test_a_cached_session_is_refused_right_after_sign_out(
    registered: Registered, context: AppContext
) -> None:
    _, migrant = registered
    assert migrant.report(migrant.location()).status_code == 200  # now cached
    assert context.intake.devices.cached_session is not None
    token = migrant.access_token
    assert migrant.http.delete("/api/v1/auth/sessions/current", headers=migrant.auth).status_code
    migrant.access_token = token
    refused = migrant.report(migrant.location())
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "session_revoked"


def test_a_calendar_change_reaches_the_cached_schedule(
    registered: Registered, context: AppContext, db: Database, clock: object
) -> None:
    person, migrant = registered
    migrant.report(migrant.location(ago=timedelta(minutes=-1)))
    before = migrant.report(migrant.location(ago=timedelta(minutes=-2))).json()["monitoring"]
    loads = context.intake.deadlines.loads
    reminder_day = before["reminder_at"][:10]
    from datetime import date

    with db.unit_of_work() as session:
        set_override(
            session,
            now=clock.now(),  # type: ignore[attr-defined]
            actor=Actor.system("test"),
            day=date.fromisoformat(reminder_day),
            is_working=False,
            reason="a declared holiday",
        )
    migrant.refresh()
    after = migrant.report(migrant.location(ago=timedelta(minutes=-3))).json()["monitoring"]
    assert context.intake.deadlines.loads > loads
    assert after["reminder_at"][:10] != reminder_day
    assert migrant.me()["monitoring"] == after
    # The stored schedule follows (the same-day shortcut only keeps a schedule that matches).
    state = state_of(db, person.person_id)
    assert state.next_step_at is not None
    assert state.next_step_at.isoformat()[:10] != reminder_day


def test_a_full_queue_sheds_with_overloaded(db: Database) -> None:
    writer = GroupWriter(db, threads=1, max_queue=1)
    writer._threads = [object()]  # type: ignore[list-item]  # pretend started: nothing drains
    writer.submit(lambda session: None)
    with pytest.raises(Overloaded):
        writer.submit(lambda session: None)
    assert writer.shed == 1


def test_a_job_that_waited_too_long_is_shed_unwritten(db: Database) -> None:
    writer = GroupWriter(db, threads=1, max_wait_s=0.0)
    ran: list[int] = []
    future = writer.submit(lambda session: ran.append(1))
    with pytest.raises(Overloaded):
        future.result(5)
    writer.stop()
    assert ran == []


def test_a_group_shares_one_commit(db: Database) -> None:
    writer = GroupWriter(db, threads=1)
    gate = writer.submit(lambda session: __import__("time").sleep(0.2))
    futures = [writer.submit(lambda session, n=n: n) for n in range(20)]
    assert [f.result(10) for f in futures] == list(range(20))
    gate.result(10)
    writer.stop()
    assert writer.jobs_done == 21 and writer.commits <= 3


def test_a_group_runs_in_key_order_and_one_key_keeps_its_order(db: Database) -> None:
    """Every group takes its row locks in one global order (no deadlock across processes)."""
    import threading
    import uuid

    writer = GroupWriter(db, threads=1)
    opened = threading.Event()
    gate = writer.submit(lambda session: opened.wait(10))
    keys = [uuid.UUID(int=n) for n in (7, 3, 9, 3, 1, 7, 3)]
    ran: list[tuple[uuid.UUID, int]] = []
    futures = [
        writer.submit(lambda session, k=k, i=i: ran.append((k, i)), key=k)
        for i, k in enumerate(keys)
    ]
    opened.set()  # all seven are queued: they run as one group
    gate.result(10)
    for future in futures:
        future.result(10)
    writer.stop()
    assert [k for k, _ in ran] == sorted(keys, key=str)
    for key in set(keys):  # one person's reports in the order they came
        order = [i for k, i in ran if k == key]
        assert order == sorted(order)


def test_a_failing_job_fails_alone(db: Database) -> None:
    writer = GroupWriter(db, threads=1)
    gate = writer.submit(lambda session: __import__("time").sleep(0.2))

    def broken(session: object) -> None:
        raise RuntimeError("boom")

    good = [writer.submit(lambda session, n=n: n) for n in range(3)]
    bad = writer.submit(broken)
    gate.result(10)
    assert [f.result(10) for f in good] == [0, 1, 2]
    with pytest.raises(RuntimeError):
        bad.result(10)
    writer.stop()


def test_one_key_always_runs_on_one_thread_in_order(live_url: str) -> None:
    import threading

    # Its own database: three writer threads cannot share the suite's one test connection.
    db = Database.connect(live_url)
    writer = GroupWriter(db, threads=3)
    seen: dict[int, set[str]] = {}
    order: dict[int, list[int]] = {}

    def job(key: int, n: int) -> None:
        seen.setdefault(key, set()).add(threading.current_thread().name)
        order.setdefault(key, []).append(n)

    futures = [
        writer.submit(lambda session, k=key, n=n: job(k, n), key=key)
        for n in range(30)
        for key in range(6)
    ]
    for future in futures:
        future.result(10)
    writer.stop()
    db.dispose()
    assert all(len(names) == 1 for names in seen.values())
    assert all(numbers == list(range(30)) for numbers in order.values())
    assert len(set().union(*seen.values())) > 1  # the keys are spread over the threads
