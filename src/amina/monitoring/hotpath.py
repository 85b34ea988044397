"""The report-intake hot path: `POST /me/locations`, `POST /owntracks/pub`, and other ways in.

Per request, in this order:
1. outside any transaction: the token's claims (cached per token), the device's fixed facts
   (cached per session, `auth/cache.py`), the OwnTracks MAC, and the validation of every
   report (`intake.prepare`), on the event loop; the app's Ed25519 signature on the writer's
   thread, before its group's transaction (`signature_check`);
2. a payload for the process's group-commit writer (`groupcommit.py`), which hands every
   intake request of a group to `IntakeWriter.write_all` (`monitoring/hotwrite.py`) in ONE
   transaction: one statement reads every request's facts (revocation, monitoring state, the
   fix before) and locks the people's monitoring rows; one INSERT stores all their reports; at
   most two conditional UPDATEs move monitoring (`monitoring/grouprepo.py` on PostgreSQL; the
   single-row statements of `monitoring/repo.py` for a group of one and on SQLite). The
   schedule is recomputed only when a Moscow date moves, from a per-process cache
   (`schedule.DeadlineCache`);
3. the answer, after the shared commit.

Rare cases (no monitoring row yet, heartbeats, reports that might reopen a no_geolocation
deregistration) take the general ORM path, `intake.store`, inside the same transaction.

`ReportIntake.submit_sync(device, items, now=…)` is the public, blocking, thread-safe entry
point for other ways in (an MQTT subscriber, a Traccar route): it goes through the same writer
and returns after the commit. Sequential callers in a thread: each call waits for one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from typing import Any, TypeVar

import anyio

from amina.auth.cache import DeviceCache, KnownDevice
from amina.auth.devices import check_signature, decode_signature
from amina.config import Settings
from amina.db import Database
from amina.errors import DomainError, Forbidden, NotAuthenticated, Overloaded
from amina.groupcommit import Check, GroupWriter
from amina.keys import Keys
from amina.monitoring import intake
from amina.monitoring.hotwrite import IntakeWriter, Write, new_write
from amina.monitoring.schedule import DeadlineCache
from amina.rules.territory import Territory

T = TypeVar("T")


@contextlib.contextmanager
def signed_first(check: Check | None) -> Iterator[None]:
    """A request refused on the event loop, before the writer, runs its signature check
    first: a body that is not the device's is refused as such, before anything is said
    about its contents."""
    try:
        yield
    except DomainError:
        if check is not None:
            check()
        raise


class ReportIntake:
    """One per process (built lazily by `AppContext.intake`)."""

    def __init__(
        self,
        db: Database,
        *,
        settings: Settings,
        keys: Keys,
        territory: Territory,
        writer: GroupWriter | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.territory = territory
        self.devices = DeviceCache(keys)
        self.store = IntakeWriter(settings, territory)
        threads = 1 if db.is_sqlite else settings.intake_writer_threads
        self._writer_db = db if writer is not None else db.for_writers(threads)
        self.writer = writer or GroupWriter(
            self._writer_db,
            threads=threads,
            max_group=settings.intake_max_group,
            max_queue=settings.intake_max_queue,
            max_wait_s=settings.intake_max_wait_s,
        )
        # Cache misses read in a thread; bounded, so they never crowd out the rest.
        self._lookups = anyio.CapacityLimiter(4)
        self._inflight: dict[object, asyncio.Future[Any]] = {}
        # Requests past the cheap checks at once, on this process's event loop. The rest wait
        # (costing nothing) or are shed: the loop's ready queue stays short, so /health and
        # every other route keep answering during a burst.
        self.max_active = settings.intake_max_active
        self._active: asyncio.Semaphore | None = None
        self._active_loop: asyncio.AbstractEventLoop | None = None

    @property
    def deadlines(self) -> DeadlineCache:
        return self.store.deadlines

    @property
    def fast_writes(self) -> int:
        """Requests stored by the fast path (tests and the benchmark read them)."""
        return self.store.fast_writes

    @property
    def general_writes(self) -> int:
        return self.store.general_writes

    def close(self) -> None:
        self.writer.stop()
        if self._writer_db is not self.db:
            self._writer_db.dispose()

    # -- admission --------------------------------------------------------------------------

    def _semaphore(self) -> asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        if self._active is None or self._active_loop is not loop:
            self._active, self._active_loop = asyncio.Semaphore(self.max_active), loop
        return self._active

    @contextlib.asynccontextmanager
    async def admitted(self) -> AsyncIterator[None]:
        """Hold one of `max_active` places; shed with 503 when the writer is already full or
        no place frees up within the writer's wait bound."""
        if self.writer.queued >= self.writer.max_queue:
            self.writer.shed += 1
            raise Overloaded("too many reports are waiting to be stored; try again shortly")
        semaphore = self._semaphore()
        try:
            if semaphore.locked():  # wait, with a bound (wait_for costs a task: only here)
                await asyncio.wait_for(semaphore.acquire(), self.writer.max_wait_s)
            else:
                await semaphore.acquire()  # a free place: taken at once, no suspension
        except TimeoutError:
            self.writer.shed += 1
            raise Overloaded(
                "the intake is overloaded; try again shortly", retry_after_s=2
            ) from None
        try:
            yield
        finally:
            semaphore.release()

    # -- who is calling ---------------------------------------------------------------------

    async def app_device(self, bearer: str, now: datetime) -> KnownDevice:
        claims = self.devices.claims(bearer, now)
        known = self.devices.cached_session(claims.session_id)
        if known is None:
            known = await self._once(("session", claims.session_id), self._load_session, claims)
        if known.person_id != claims.subject:
            raise NotAuthenticated("the access token is not valid", code="invalid_token")
        return known

    async def _once(self, key: object, load: Callable[[Any], T], argument: Any) -> T:
        """One lookup per key at a time: a burst of requests from a device that is not cached
        yet (a restart, a new process) waits for the same read instead of each making one."""
        running = self._inflight.get(key)
        if running is None:
            running = self._inflight[key] = asyncio.ensure_future(
                anyio.to_thread.run_sync(load, argument, limiter=self._lookups)
            )
            running.add_done_callback(lambda _: self._inflight.pop(key, None))
        result: T = await asyncio.shield(running)
        return result

    def _load_session(self, claims: Any) -> KnownDevice:
        with self.db.unit_of_work(readonly=True) as session:
            return self.devices.load_session(session, claims)

    async def owntracks_device(self, username: str, password: str) -> KnownDevice:
        known = self.devices.cached_owntracks(username)
        if known is None:
            known = await self._once(("owntracks", username), self._load_owntracks, username)
        return self.devices.check_owntracks(known, password)

    def _load_owntracks(self, username: str) -> KnownDevice | None:
        with self.db.unit_of_work(readonly=True) as session:
            return self.devices.load_owntracks(session, username)

    # -- taking reports in ------------------------------------------------------------------

    def signature_check(self, device: KnownDevice, signature: str | None, raw: bytes) -> Check:
        """The app's reports are signed by the device key, over the exact body bytes. The header
        is checked here; the Ed25519 check itself (about 0.1 ms, with the GIL released) is the
        `Check` returned, which `reports` has the writer's thread run before the group's
        transaction: the event loop takes other requests meanwhile (docs/performance.md,
        "Seventh run")."""
        if device.public_key is None:
            raise Forbidden("this device reports through OwnTracks", code="wrong_device")
        return functools.partial(
            check_signature, device.verifier or device.public_key, raw, decode_signature(signature)
        )

    async def reports(
        self,
        device: KnownDevice,
        items: list[Any],
        now: datetime,
        *,
        owntracks: bool = False,
        raw: bytes | None = None,
        check: Check | None = None,
    ) -> intake.IntakeResult:
        """Validate here, store in the next group commit; returns after that commit. `raw`:
        the JSON body the items were parsed from (`intake.prepare` may scan it once). `check`
        (`signature_check`'s): run on the writer's thread first; its refusal is the answer."""
        with signed_first(check):
            write = self.prepare_write(device, items, now, owntracks=owntracks, raw=raw)
        result: intake.IntakeResult = await self.writer.run_batch(
            self.store.write_all, write, key=device.person_id, check=check
        )
        return result

    def submit_sync(
        self,
        device: KnownDevice,
        items: list[Any],
        *,
        now: datetime,
        owntracks: bool = False,
        timeout_s: float | None = 30.0,
        raw: bytes | None = None,
    ) -> intake.IntakeResult:
        """Blocking: validate, store through the group-commit writer, return after the commit.
        `device` comes from `self.devices` (`load_session` / `load_owntracks`), or is built by
        the caller for a device it has authenticated itself; revocation is checked in the write.
        """
        write = self.prepare_write(device, items, now, owntracks=owntracks, raw=raw)
        result: intake.IntakeResult = self.writer.run_batch_sync(
            self.store.write_all, write, timeout_s, key=device.person_id
        )
        return result

    def prepare_write(
        self,
        device: KnownDevice,
        items: list[Any],
        now: datetime,
        *,
        owntracks: bool = False,
        raw: bytes | None = None,
    ) -> Write:
        """Validate `items` (no database): what the writer stores (`IntakeWriter.write_all`)."""
        prepared = intake.prepare(items, now=now, settings=self.settings, raw=raw)
        return new_write(device, prepared, now, owntracks=owntracks)
