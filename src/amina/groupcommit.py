"""Group commit: write jobs from many requests share one transaction and one commit.

A `GroupWriter` owns a few dedicated threads (exactly one on SQLite, a handful on PostgreSQL).
Each thread takes every job waiting in the queue (up to `max_group`), runs them one after the
other inside ONE unit of work, commits once (one fsync, one WAL flush), and only then answers
each caller. A caller is never told "done" before its job is durably committed.

- If the shared transaction fails, it is rolled back and every job of the group is run again
  alone, in a transaction of its own, so that one bad job only fails itself.
- A job raising a `DomainError` is answered with that error; in a group its changes must not be
  kept, so jobs are written to raise before they change anything (the intake checks first).
- Jobs carry a key (the person): the same key always goes to the same thread, so two writer
  threads never wait on each other's row locks (nor deadlock on them) for one person, and one
  person's reports are stored in the order they came. Jobs without a key go to the shortest
  queue.
- The queue is bounded (`max_queue`) and so is the time a job may wait in it (`max_wait_s`):
  past either bound the caller gets `Overloaded` (503 + Retry-After) and nothing is written.
  Nothing waits without a bound, and no thread of the web server's pool is ever held.

Callers on an event loop `await writer.run(job)`; synchronous callers (another process's
subscriber thread, the CLI) call `writer.run_sync(job)`, which blocks until the commit.

A job may instead be a payload for a `BatchHandler` (`run_batch`, `run_batch_sync`): the group
hands all its payloads of one handler to ONE call, `handler(session, payloads)`, which returns
one outcome per payload, `(True, value)` or `(False, DomainError)`, and may use one statement
for all of them (the report intake: `monitoring/grouprepo.py`). The payloads come in the
group's order (by key, stable), after the group's plain jobs. Run alone (when the group failed),
a payload is a group of one, and a refusal rolls its transaction back.

A payload may come with a `check`: work the writer's thread does for it before the group's
transaction opens (the intake's Ed25519 signature check, which releases the GIL, so the event
loop goes on taking requests meanwhile, and costs the loop no hop of its own). A check that
raises a `DomainError` refuses that payload alone: it is answered with the error and never
reaches the transaction.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from amina.db import Database
from amina.errors import DomainError, Overloaded

log = logging.getLogger("amina.groupcommit")
T = TypeVar("T")
Job = Callable[[Session], Any]
Outcome = tuple[bool, Any]
BatchHandler = Callable[[Session, list[Any]], list[Outcome]]
Check = Callable[[], None]


class _LoopAnswer:
    """The answer to a caller on an event loop: an asyncio future of that loop, settled on the
    loop's own thread. A group's answers to one loop are settled by one callback (one wake-up
    of the loop, instead of one per job through `asyncio.wrap_future`)."""

    __slots__ = ("loop", "waiter")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.waiter: asyncio.Future[Any] = loop.create_future()

    def cancelled(self) -> bool:
        return self.waiter.cancelled()


@dataclass
class _Pending:
    job: Job | Any  # a payload of `handler`'s when there is one
    future: Future[Any] | _LoopAnswer
    key: object = None
    handler: BatchHandler | None = None
    check: Check | None = None
    queued_at: float = field(default_factory=time.monotonic)


_STOP = object()


class GroupWriter:
    def __init__(
        self,
        db: Database,
        *,
        threads: int = 1,
        max_group: int = 256,
        max_queue: int = 4096,
        max_wait_s: float = 5.0,
    ) -> None:
        self.db = db
        self.thread_count = max(1, threads)
        self.max_group = max(1, max_group)
        self.max_queue = max(1, max_queue)
        self.max_wait_s = max_wait_s
        self._queues: list[queue.Queue[_Pending | object]] = [
            queue.Queue() for _ in range(self.thread_count)
        ]
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        # Counters for tests and the benchmark (read without a lock: they only grow).
        self.commits = 0
        self.jobs_done = 0
        self.shed = 0

    # -- lifecycle --------------------------------------------------------------------------

    def start(self) -> None:
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()]
            alive = {t.name for t in self._threads}
            for index in range(self.thread_count):
                name = f"amina-writer-{index}"
                if name in alive:
                    continue
                thread = threading.Thread(
                    target=self._loop, args=(self._queues[index],), name=name, daemon=True
                )
                thread.start()
                self._threads.append(thread)

    def stop(self, timeout_s: float = 10.0) -> None:
        """Finish what is queued, then stop the threads."""
        with self._lock:
            threads, self._threads = self._threads, []
        for thread in threads:
            self._queues[int(thread.name.rsplit("-", 1)[1])].put(_STOP)
        for thread in threads:
            thread.join(timeout_s)

    # -- submitting -------------------------------------------------------------------------

    def submit(self, job: Callable[[Session], T], key: object = None) -> Future[T]:
        future: Future[T] = Future()
        self._put(_Pending(job, future, key), key)
        return future

    def _put(self, pending: _Pending, key: object) -> None:
        if len(self._threads) < self.thread_count:
            self.start()
        if self.queued >= self.max_queue:
            self.shed += 1
            raise Overloaded("too many reports are waiting to be stored; try again shortly")
        self._queue_for(key).put(pending)

    def _queue_for(self, key: object) -> queue.Queue[_Pending | object]:
        if len(self._queues) == 1:
            return self._queues[0]
        if key is None:
            return min(self._queues, key=lambda q: q.qsize())
        return self._queues[hash(key) % len(self._queues)]

    async def run(self, job: Callable[[Session], T], key: object = None) -> T:
        """Run `job` in the next group of its key's thread; returns after that group's commit."""
        answer = _LoopAnswer(asyncio.get_running_loop())
        self._put(_Pending(job, answer, key), key)
        result: T = await answer.waiter
        return result

    def run_sync(
        self, job: Callable[[Session], T], timeout_s: float | None = None, key: object = None
    ) -> T:
        """The same, for a thread that may block (never call it on an event loop)."""
        return self.submit(job, key).result(timeout_s)

    async def run_batch(
        self, handler: BatchHandler, payload: Any, key: object = None, check: Check | None = None
    ) -> Any:
        """Hand `payload` to `handler` with the rest of its group's; returns its value after
        the commit, or raises its refusal (or `check`'s, run first, outside the transaction)."""
        answer = _LoopAnswer(asyncio.get_running_loop())
        self._put(_Pending(payload, answer, key, handler, check), key)
        return await answer.waiter

    def run_batch_sync(
        self,
        handler: BatchHandler,
        payload: Any,
        timeout_s: float | None = None,
        key: object = None,
        check: Check | None = None,
    ) -> Any:
        future: Future[Any] = Future()
        self._put(_Pending(payload, future, key, handler, check), key)
        return future.result(timeout_s)

    @property
    def queued(self) -> int:
        """Jobs waiting (read without the queues' locks: a bound, not an account)."""
        return sum(len(q.queue) for q in self._queues)

    # -- the writer threads -----------------------------------------------------------------

    def _take_group(self, jobs: queue.Queue[_Pending | object]) -> tuple[list[_Pending], bool]:
        first = jobs.get()
        if first is _STOP:
            return [], True
        group: list[_Pending] = [first]  # type: ignore[list-item]
        stopping = False
        while len(group) < self.max_group:
            try:
                item = jobs.get_nowait()
            except queue.Empty:
                break
            if item is _STOP:
                stopping = True
                break
            group.append(item)  # type: ignore[arg-type]
        return group, stopping

    def _loop(self, jobs: queue.Queue[_Pending | object]) -> None:
        while True:
            group, stopping = self._take_group(jobs)
            if group:
                self._run_group(self._checked(self._fresh(group)))
            if stopping:
                return

    def _fresh(self, group: list[_Pending]) -> list[_Pending]:
        """Shed what waited too long, before it is started (so nothing of it is written).

        The rest is ordered by key (stable: one key's jobs keep their order). Each job locks
        its person's row, so every group, in every process, takes its row locks in one global
        order: two groups can wait on each other, but never deadlock."""
        deadline = time.monotonic() - self.max_wait_s
        kept = []
        for pending in group:
            if pending.future.cancelled():
                continue
            if pending.queued_at < deadline:
                self.shed += 1
                _answer_all(
                    [
                        (
                            pending,
                            False,
                            Overloaded(
                                "the intake is overloaded; try again shortly", retry_after_s=2
                            ),
                        )
                    ]
                )
            else:
                kept.append(pending)
        kept.sort(key=lambda pending: "" if pending.key is None else str(pending.key))
        return kept

    def _checked(self, group: list[_Pending]) -> list[_Pending]:
        """Run the payloads' checks, before the transaction; answer each refused one alone.
        (Never raises: an error escaping here would end the writer's thread.)"""
        kept: list[_Pending] = []
        refused: list[tuple[_Pending, bool, Any]] = []
        for pending in group:
            if pending.check is not None:
                try:
                    pending.check()
                except Exception as error:  # a DomainError is its answer; anything else a 500
                    refused.append((pending, False, error))
                    continue
            kept.append(pending)
        if refused:
            _answer_all(refused)
        return kept

    def _run_group(self, group: list[_Pending]) -> None:
        if not group:
            return
        if len(group) == 1:
            self._run_alone(group[0])
            return
        outcomes: list[Outcome] = []
        try:
            with self.db.unit_of_work() as session:
                outcomes = self._outcomes(session, group)
        except Overloaded as error:
            self.shed += len(group)
            _answer_all([(pending, False, error) for pending in group])
            return
        except Exception:
            log.warning("a group commit failed; running its %d jobs one by one", len(group))
            for pending in group:
                self._run_alone(pending)
            return
        self.commits += 1
        self.jobs_done += len(group)
        _answer_all(
            [(pending, ok, value) for pending, (ok, value) in zip(group, outcomes, strict=True)]
        )

    @staticmethod
    def _outcomes(session: Session, group: list[_Pending]) -> list[Outcome]:
        outcomes: list[Outcome | None] = [None] * len(group)
        batches: dict[BatchHandler, list[int]] = {}
        for index, pending in enumerate(group):
            if pending.handler is not None:
                batches.setdefault(pending.handler, []).append(index)
                continue
            try:
                outcomes[index] = (True, pending.job(session))
            except DomainError as error:
                if error.keep_changes:  # cannot be kept inside a shared group
                    raise
                outcomes[index] = (False, error)
        for handler, indices in batches.items():
            answers = handler(session, [group[i].job for i in indices])
            for index, outcome in zip(indices, answers, strict=True):
                outcomes[index] = outcome
        return cast(list[Outcome], outcomes)  # each job is answered above (zip is strict)

    def _run_alone(self, pending: _Pending) -> None:
        try:
            try:
                value = self._in_own_transaction(pending)
            except DBAPIError as error:
                if not error.connection_invalidated:
                    raise
                # The connection had died while idle (the writer's are checked out without a
                # ping, `Database.for_writers`): SQLAlchemy has dropped it; once more, on a
                # fresh one. Nothing of the job was kept unless the COMMIT itself reached the
                # server; the intake's writes are idempotent then (reports dedupe on their key,
                # monitoring only moves forward), but for the refused-report counters of the
                # dashboard, which would count that request's refusals twice.
                log.warning("a writer connection was lost; running the job again on a new one")
                value = self._in_own_transaction(pending)
        except BaseException as error:  # answered to the caller, who maps it (a 5xx is a bug)
            if isinstance(error, Overloaded):
                self.shed += 1
            _answer_all([(pending, False, error)])
            return
        self.commits += 1
        self.jobs_done += 1
        _answer_all([(pending, True, value)])

    def _in_own_transaction(self, pending: _Pending) -> Any:
        with self.db.unit_of_work() as session:
            if pending.handler is None:
                return pending.job(session)
            [(ok, value)] = pending.handler(session, [pending.job])
            if not ok:
                raise value  # rolls the transaction back
            return value


def _answer_all(answers: list[tuple[_Pending, bool, Any]]) -> None:
    """Answer each caller; those waiting on one event loop with one callback on that loop."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[Any], bool, Any]]] = {}
    for pending, ok, value in answers:
        target = pending.future
        if isinstance(target, _LoopAnswer):
            by_loop.setdefault(target.loop, []).append((target.waiter, ok, value))
        elif not target.cancelled():
            if ok:
                target.set_result(value)
            else:
                target.set_exception(value)
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_settle, settled)
        except RuntimeError:  # the loop has closed: nobody is waiting any more
            log.debug("an event loop closed before %d answers", len(settled))


def _settle(settled: list[tuple[asyncio.Future[Any], bool, Any]]) -> None:
    for waiter, ok, value in settled:
        if waiter.done():  # cancelled meanwhile (the client went away)
            continue
        if ok:
            waiter.set_result(value)
        else:
            waiter.set_exception(value)
