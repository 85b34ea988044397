"""The report-intake hot path: `POST /me/locations`, `POST /owntracks/pub`, and other ways in.

Per request, in this order:
1. outside any transaction: the token's claims (cached per token), the device's fixed facts
   (cached per session, `auth/cache.py`), the Ed25519 signature or the OwnTracks MAC, and the
   validation of every report (`intake.prepare`);
2. a job for the process's group-commit writer (`groupcommit.py`), which runs it together with
   the jobs of other requests in ONE transaction: one statement reads the revocation state, the
   monitoring state and everything else the write needs (`monitoring/repo.py`); one INSERT
   stores the reports; one conditional UPDATE moves monitoring, only when the last monitoring
   instant moves, and the schedule is recomputed only when its Moscow date moves (the
   deadlines come from a per-process cache, `schedule.DeadlineCache`);
3. the answer, after the shared commit.

Rare cases (no monitoring row yet, heartbeats, reports that might reopen a no_geolocation
deregistration) take the general ORM path, `intake.store`, inside the same job.

`ReportIntake.submit_sync(device, items, now=…)` is the public, blocking, thread-safe entry
point for other ways in (an MQTT subscriber, a Traccar route): it goes through the same writer
and returns after the commit. Sequential callers in a thread: each call waits for one commit.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any, TypeVar

import anyio
from sqlalchemy.orm import Session

from amina.auth.cache import DeviceCache, KnownDevice
from amina.auth.devices import verify_signature
from amina.config import Settings
from amina.db import Database
from amina.errors import Forbidden, NotAuthenticated, Overloaded
from amina.groupcommit import GroupWriter
from amina.keys import Keys
from amina.monitoring import intake, repo
from amina.monitoring.schedule import DeadlineCache
from amina.monitoring.schemas import MonitoringOut
from amina.rules.calendar import moscow_date, moscow_instant
from amina.rules.reports import moves_monitoring, speed_horizon
from amina.rules.territory import Territory

T = TypeVar("T")


@dataclass(frozen=True)
class _Write:
    device: KnownDevice
    prepared: intake.Prepared
    items: list[Any]
    now: datetime
    owntracks: bool


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
        self.deadlines = DeadlineCache()
        self.speed_horizon = speed_horizon(settings.impossible_speed_kmh)
        threads = 1 if db.is_sqlite else settings.intake_writer_threads
        self.writer = writer or GroupWriter(
            db,
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
        # Which write path requests took (tests and the benchmark read them).
        self.fast_writes = 0
        self.general_writes = 0

    def close(self) -> None:
        self.writer.stop()

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

    def verify_app(self, device: KnownDevice, signature: str | None, raw: bytes) -> None:
        """The app's reports are signed by the device key, over the exact body bytes."""
        if device.public_key is None:
            raise Forbidden("this device reports through OwnTracks", code="wrong_device")
        verify_signature(device.verifier or device.public_key, raw, signature)

    async def reports(
        self, device: KnownDevice, items: list[Any], now: datetime, *, owntracks: bool = False
    ) -> intake.IntakeResult:
        """Validate here, store in the next group commit; returns after that commit."""
        write = self._prepare(device, items, now, owntracks=owntracks)
        return await self.writer.run(
            lambda session: self._write(session, write), key=device.person_id
        )

    def submit_sync(
        self,
        device: KnownDevice,
        items: list[Any],
        *,
        now: datetime,
        owntracks: bool = False,
        timeout_s: float | None = 30.0,
    ) -> intake.IntakeResult:
        """Blocking: validate, store through the group-commit writer, return after the commit.
        `device` comes from `self.devices` (`load_session` / `load_owntracks`), or is built by
        the caller for a device it has authenticated itself; revocation is checked in the write.
        """
        write = self._prepare(device, items, now, owntracks=owntracks)
        return self.writer.run_sync(
            lambda session: self._write(session, write), timeout_s, key=device.person_id
        )

    def _prepare(
        self, device: KnownDevice, items: list[Any], now: datetime, *, owntracks: bool
    ) -> _Write:
        prepared = intake.prepare(items, now=now, settings=self.settings)
        return _Write(device, prepared, items, now, owntracks)

    # -- inside the shared transaction (a writer thread) -----------------------------------

    def _write(self, session: Session, write: _Write) -> intake.IntakeResult:
        device, prepared, now = write.device, write.prepared, write.now
        valid = prepared.valid
        fixes = sorted(
            ((r.id, fix) for r in valid if (fix := r.fix()) is not None),
            key=lambda pair: pair[1].recorded_at,
        )
        before = fixes[0][1].recorded_at if fixes else now
        facts = repo.intake_facts(
            session,
            person_id=device.person_id,
            device_id=device.device_id,
            session_id=device.session_id,
            before=before,
            earliest=min((f.recorded_at for _, f in fixes), default=now),
            horizon=before - self.speed_horizon
            if self.speed_horizon
            else datetime.min.replace(tzinfo=UTC),
        )
        if facts is None or facts.revoked:
            if device.session_id is None:
                raise NotAuthenticated("wrong OwnTracks credentials", code="invalid_credentials")
            if facts is None:
                raise NotAuthenticated("the access token is not valid", code="invalid_token")
            raise NotAuthenticated("this session has ended; sign in again", code="session_revoked")
        if prepared.result.rejected:  # counted for the dashboard, in this same commit
            repo.count_rejections(
                session, now=now, codes=Counter(r.code for r in prepared.result.rejected)
            )
        if (
            not facts.has_state
            or facts.late_evidence_possible
            or any(r.is_heartbeat for r in valid)
        ):
            self.general_writes += 1
            return intake.store(
                session,
                now=now,
                settings=self.settings,
                territory=self.territory,
                person_id=device.person_id,
                device_id=device.device_id,
                prepared=prepared,
                owntracks=write.owntracks,
            )
        self.fast_writes += 1
        return self._fast(session, write, facts, fixes)

    def _fast(
        self,
        session: Session,
        write: _Write,
        facts: repo.IntakeFacts,
        fixes: list[Any],
    ) -> intake.IntakeResult:
        device, prepared, now = write.device, write.prepared, write.now
        valid = prepared.valid
        result = intake.IntakeResult(
            duplicates=list(prepared.result.duplicates), rejected=list(prepared.result.rejected)
        )
        placements = self.territory.classify_many(
            [f.lat for _, f in fixes], [f.lon for _, f in fixes]
        )
        placement_of = {rid: p for (rid, _), p in zip(fixes, placements, strict=True)}
        rows = intake.report_rows(
            valid,
            device_id=device.device_id,
            person_id=device.person_id,
            now=now,
            owntracks=write.owntracks,
            placement_of=placement_of,
            jumped=intake.speed_flags(
                facts.previous_fix, fixes, self.settings.impossible_speed_kmh
            ),
            previous_monitoring=facts.last_monitoring_at,
        )
        inserted = repo.insert_reports(session, rows)
        for report in valid:
            (result.accepted if report.id in inserted else result.duplicates).append(report.id)
        last = facts.last_monitoring_at
        new = [r.recorded_at for r in valid if r.id in inserted]
        clock_s = time.monotonic()
        if new and moves_monitoring(latest := max(new), last):
            day = moscow_date(latest)
            deadlines = self.deadlines.deadlines(
                session, self.settings, facts.calendar_fingerprint, latest, clock_s
            )
            # Same Moscow date as the stored L, no step taken, and the stored schedule is the
            # one today's calendar gives: only the instant moves.
            same_day = (
                last is not None
                and moscow_date(last) == day
                and facts.last_step is None
                and facts.registration_id is not None
                and facts.next_step_at == deadlines.reminder_at
                and repo.touch_same_day(
                    session,
                    person_id=device.person_id,
                    recorded_at=latest,
                    day_start=moscow_instant(day, clock_time(0, 0)),
                    now=now,
                )
            )
            if not same_day:
                repo.advance(
                    session,
                    person_id=device.person_id,
                    recorded_at=latest,
                    reminder_at=deadlines.reminder_at,
                    now=now,
                )
            last = latest
            if session.identity_map:  # an ORM job of this group may hold the person's row
                session.expire_all()
        result.monitoring = self._view(session, facts, last, clock_s)
        return result

    def _view(
        self, session: Session, facts: repo.IntakeFacts, last: datetime | None, clock_s: float
    ) -> MonitoringOut:
        if last is None:
            return MonitoringOut()
        if facts.registration_id is None:
            return MonitoringOut(last_monitoring_at=last)
        deadlines = self.deadlines.deadlines(
            session, self.settings, facts.calendar_fingerprint, last, clock_s
        )
        return MonitoringOut(
            last_monitoring_at=last,
            reminder_at=deadlines.reminder_at,
            final_warning_at=deadlines.final_warning_at,
            deregistration_at=deadlines.deregistration_at,
        )
