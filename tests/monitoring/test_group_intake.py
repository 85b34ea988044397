"""A group commit's intake requests stored together (`hotwrite.IntakeWriter.write_all`): one
locked read of every request's facts, one insert and at most two monitoring updates for the
group (`grouprepo.py`, on PostgreSQL), and the same outcome as storing them one by one."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy import text as sa_text

from amina.auth.cache import KnownDevice
from amina.auth.models import AuthSession, Platform
from amina.context import AppContext
from amina.db import Database
from amina.errors import NotAuthenticated
from amina.groupcommit import GroupWriter, Outcome
from amina.monitoring import repo
from amina.monitoring.hotwrite import Write
from amina.monitoring.models import LocationReport, MonitoringState
from tests.conftest import Recorded
from tests.support.migrant import Migrant

People = Callable[[int], list[tuple[KnownDevice, Migrant]]]


@pytest.fixture
def people(
    db: Database,
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
) -> People:
    """`n` registered migrants, each with the device its session reports for."""

    def make(n: int) -> list[tuple[KnownDevice, Migrant]]:
        made = []
        for _ in range(n):
            person = add_person()
            migrant = migrant_for(person)
            migrant.sign_in(person.card_number, person.birth_date)
            assert migrant.register().status_code == 201
            made.append((device_of(db, migrant), migrant))
        return made

    return make


def device_of(db: Database, migrant: Migrant) -> KnownDevice:
    person_id = uuid.UUID(migrant.person_id)
    with db.unit_of_work(readonly=True) as session:
        session_id = session.scalars(
            select(AuthSession.id).where(
                AuthSession.person_id == person_id, AuthSession.revoked_at.is_(None)
            )
        ).one()
    assert migrant.device_id is not None
    return KnownDevice(person_id, uuid.UUID(migrant.device_id), session_id, None, Platform.WEB)


def write_of(
    context: AppContext, device: KnownDevice, reports: list[dict[str, Any]], now: datetime
) -> Write:
    return context.intake.prepare_write(device, reports, now)


def store_group(context: AppContext, db: Database, writes: list[Write]) -> list[Outcome]:
    with db.unit_of_work() as session:
        return context.intake.store.write_all(session, writes)


def monitoring_of(db: Database, person_id: uuid.UUID) -> tuple[Any, ...]:
    with db.unit_of_work(readonly=True) as session:
        state = session.get(MonitoringState, person_id)
        assert state is not None
        return (state.last_monitoring_at, state.next_step, state.next_step_at, state.last_step)


def counted(db: Database, person_id: uuid.UUID) -> dict[str, bool]:
    with db.unit_of_work(readonly=True) as session:
        rows = session.execute(
            select(LocationReport.client_id, LocationReport.counted).where(
                LocationReport.person_id == person_id
            )
        ).all()
    return {str(client_id): flag for client_id, flag in rows}


def refuse_single_row_statements(*args: object, **kwargs: object) -> None:
    raise AssertionError("a group of several people took a single-row statement")


def scenario(context: AppContext, pairs: list[tuple[KnownDevice, Migrant]]) -> list[Write]:
    """Half the people report later the same day (the same-day shortcut), half three days on
    (a new Moscow date: the schedule is recomputed)."""
    now = context.clock.now()
    writes = []
    for n, (device, migrant) in enumerate(pairs):
        at = now + timedelta(days=3 * (n % 2), minutes=5)
        writes.append(write_of(context, device, [migrant.location(recorded_at=at)], at))
    return writes


def test_a_group_ends_as_storing_its_requests_one_by_one(
    people: People, context: AppContext, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    together, alone = people(4), people(4)
    before = context.intake.fast_writes
    with monkeypatch.context() as patched:
        if not db.is_sqlite:  # the group's statements, not one per request
            for name in ("intake_facts", "touch_same_day", "advance"):
                patched.setattr(repo, name, refuse_single_row_statements)
        outcomes = store_group(context, db, scenario(context, together))
    for write in scenario(context, alone):
        with db.unit_of_work() as session:
            context.intake.store.write_one(session, write)
    assert context.intake.fast_writes == before + 8  # all took the fast path
    assert [ok for ok, _ in outcomes] == [True] * 4
    for (device, _), (other, _), (_, result) in zip(together, alone, outcomes, strict=True):
        state = monitoring_of(db, device.person_id)
        assert state == monitoring_of(db, other.person_id)
        assert result.monitoring.last_monitoring_at == state[0]
        assert result.monitoring.reminder_at == state[2]
        assert list(counted(db, device.person_id).values()).count(True) == 2  # sign-up + this
    same_day, next_day = (monitoring_of(db, together[n][0].person_id) for n in (0, 1))
    assert same_day[2] < next_day[2]  # the second person's schedule moved on three days


def test_one_persons_requests_in_a_group_are_stored_in_the_order_they_came(
    people: People, context: AppContext, db: Database
) -> None:
    (device, migrant), (other, someone) = people(2)
    now = context.clock.now() + timedelta(minutes=10)
    later = migrant.location(recorded_at=now)
    earlier = migrant.location(recorded_at=now - timedelta(minutes=1))
    outcomes = store_group(
        context,
        db,
        [
            write_of(context, device, [later], now),
            write_of(context, other, [someone.location(recorded_at=now)], now),
            write_of(context, device, [earlier, later], now),  # `later` resent
        ],
    )
    first, _, second = (value for _, value in outcomes)
    assert first.accepted == [uuid.UUID(later["id"])]
    assert second.accepted == [uuid.UUID(earlier["id"])]
    assert second.duplicates == [uuid.UUID(later["id"])]
    flags = counted(db, device.person_id)
    assert flags[later["id"]] is True and flags[earlier["id"]] is False  # it came after L
    assert monitoring_of(db, device.person_id)[0] == now
    assert second.monitoring.last_monitoring_at == now


def test_a_revoked_session_is_refused_alone_in_its_group(
    people: People, context: AppContext, db: Database
) -> None:
    pairs = people(3)
    with db.unit_of_work() as session:
        session.execute(
            update(AuthSession)
            .where(AuthSession.id == pairs[1][0].session_id)
            .values(revoked_at=context.clock.now())
        )
    now = context.clock.now() + timedelta(minutes=5)
    reports = [migrant.location(recorded_at=now) for _, migrant in pairs]
    outcomes = store_group(
        context,
        db,
        [write_of(context, d, [r], now) for (d, _), r in zip(pairs, reports, strict=True)],
    )
    assert [ok for ok, _ in outcomes] == [True, False, True]
    refused = outcomes[1][1]
    assert isinstance(refused, NotAuthenticated) and refused.code == "session_revoked"
    assert reports[1]["id"] not in counted(db, pairs[1][0].person_id)
    for n in (0, 2):
        assert reports[n]["id"] in counted(db, pairs[n][0].person_id)
        assert monitoring_of(db, pairs[n][0].person_id)[0] == now


def test_one_client_id_from_two_devices_is_stored_for_each(
    people: People, context: AppContext, db: Database
) -> None:
    pairs = people(3)
    now = context.clock.now() + timedelta(minutes=5)
    shared = str(uuid.uuid4())  # two phones may pick the same id: it is unique per device
    reports = [migrant.location(recorded_at=now, id=shared) for _, migrant in pairs]
    outcomes = store_group(
        context,
        db,
        [write_of(context, d, [r], now) for (d, _), r in zip(pairs, reports, strict=True)],
    )
    for (device, _), (ok, result) in zip(pairs, outcomes, strict=True):
        assert ok and result.accepted == [uuid.UUID(shared)] and not result.duplicates
        assert counted(db, device.person_id)[shared] is True


def test_a_batch_handler_gets_its_group_in_one_call(db: Database) -> None:
    writer = GroupWriter(db, threads=1)
    running, opened = threading.Event(), threading.Event()
    gate = writer.submit(lambda session: (running.set(), opened.wait(10)))
    assert running.wait(10)  # the writer is busy: what comes next queues up
    calls: list[list[int]] = []

    def handler(session: object, payloads: list[int]) -> list[Outcome]:
        calls.append(list(payloads))
        return [(True, p * 10) if p % 3 else (False, NotAuthenticated("no")) for p in payloads]

    answers: dict[int, object] = {}

    def send(n: int) -> None:
        try:
            answers[n] = writer.run_batch_sync(handler, n, 10, key=n)
        except NotAuthenticated as error:
            answers[n] = error

    threads = [threading.Thread(target=send, args=(n,)) for n in range(1, 7)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while writer.queued < 6 and time.monotonic() < deadline:  # all six queued: one group
        time.sleep(0.01)
    opened.set()
    for thread in threads:
        thread.join(10)
    gate.result(10)
    writer.stop()
    assert calls == [[1, 2, 3, 4, 5, 6]]
    assert {n: a for n, a in answers.items() if not isinstance(a, NotAuthenticated)} == {
        1: 10,
        2: 20,
        4: 40,
        5: 50,
    }
    assert all(isinstance(answers[n], NotAuthenticated) for n in (3, 6))


def test_checks_run_on_the_writer_before_the_transaction_and_refuse_alone(db: Database) -> None:
    writer = GroupWriter(db, threads=1)
    running, opened = threading.Event(), threading.Event()
    gate = writer.submit(lambda session: (running.set(), opened.wait(10)))
    assert running.wait(10)  # the writer is busy: what comes next is one group
    events: list[str] = []

    def handler(session: Any, payloads: list[int]) -> list[Outcome]:
        events.append(f"handler {payloads} in a transaction: {session.in_transaction()}")
        return [(True, p * 10) for p in payloads]

    def check(n: int) -> Callable[[], None]:
        def run() -> None:
            events.append(f"check {n} on {threading.current_thread().name}")
            if n == 2:
                raise NotAuthenticated("not signed by this device", code="invalid_signature")
            if n == 3:
                raise RuntimeError("a bug in a check")

        return run

    answers: dict[int, object] = {}

    def send(n: int) -> None:
        try:
            answers[n] = writer.run_batch_sync(handler, n, 10, key=n, check=check(n))
        except Exception as error:  # each answer is asserted below
            answers[n] = error

    threads = [threading.Thread(target=send, args=(n,)) for n in (1, 2, 3, 4)]
    for thread in threads:
        thread.start()
    deadline = time.monotonic() + 10
    while writer.queued < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    opened.set()
    for thread in threads:
        thread.join(10)
    gate.result(10)
    assert answers[1] == 10 and answers[4] == 40
    assert isinstance(answers[2], NotAuthenticated)
    assert isinstance(answers[3], RuntimeError)  # answered (a 500), not the end of the thread
    assert writer.run_batch_sync(handler, 5, 10) == 50  # the writer's thread goes on
    writer.stop()
    assert events[:5] == [
        "check 1 on amina-writer-0",
        "check 2 on amina-writer-0",
        "check 3 on amina-writer-0",
        "check 4 on amina-writer-0",
        "handler [1, 4] in a transaction: True",
    ]


def test_a_batch_payload_run_alone_rolls_back_its_refusal(db: Database) -> None:
    writer = GroupWriter(db, threads=1)
    stray = uuid.uuid4()

    def handler(session: Any, payloads: list[str]) -> list[Outcome]:
        session.add(MonitoringState(person_id=stray))  # not kept: the request was refused
        return [(False, NotAuthenticated("refused"))]

    with pytest.raises(NotAuthenticated):
        writer.run_batch_sync(handler, "only", 10)
    writer.stop()
    with db.unit_of_work(readonly=True) as session:
        assert session.get(MonitoringState, stray) is None


def test_a_writer_connection_lost_while_idle_costs_no_request(live_url: str) -> None:
    """The writer's connections are checked out without a ping (`Database.for_writers`): when
    one has died while idle (a server restart, an idle timeout), the next job is run again on
    a fresh connection instead of failing."""
    database = Database.connect(live_url)
    if database.is_sqlite:
        database.dispose()
        pytest.skip("PostgreSQL: SQLite has no server to lose")
    writers = database.for_writers(1)
    writer = GroupWriter(writers, threads=1)
    backend = "SELECT pg_backend_pid()"

    def pid(session: Any) -> int:
        return int(session.execute(sa_text(backend)).scalar_one())

    try:
        first = writer.run_sync(pid, 10)
        with database.engine.connect() as other:
            other.execute(sa_text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        second = writer.run_sync(pid, 10)  # not an error
        assert second != first
    finally:
        writer.stop()
        writers.dispose()
        database.dispose()
