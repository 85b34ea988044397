"""`amina worker`: one loop that runs outage detection, the monitoring sweep, notification
delivery, report partitions and retention. Each job runs in its own units of work, and one
job's failure is logged without stopping the others. Only the sweep leader makes partitions,
detects outages, sweeps and applies retention; every worker delivers (deliveries are claimed
with SKIP LOCKED).
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import cached_property

from amina.audit import checkpoint
from amina.calendar.availability import detect_outages
from amina.console.stats import refresh as refresh_console_stats
from amina.context import AppContext
from amina.districts.placement import place_people
from amina.jobs.bookings import run_bookings
from amina.jobs.leader import Leadership, leadership
from amina.monitoring.partitions import ensure_partitions
from amina.monitoring.reschedule import reschedule_between
from amina.monitoring.retention import apply_retention
from amina.monitoring.sweep import sweep
from amina.notifications.delivery import deliver_due
from amina.notifications.push import PushSender, push_sender
from amina.notifications.vapid import vapid_keys
from amina.nudge.service import send_nudges
from amina.patents import timers as patent_timers

log = logging.getLogger("amina.worker")
RETENTION_EVERY = timedelta(hours=1)
PARTITIONS_EVERY = timedelta(hours=1)
CONSOLE_STATS_EVERY = timedelta(minutes=5)
CHECKPOINT_EVERY = timedelta(days=1)


class Worker:
    def __init__(self, context: AppContext, *, now: Callable[[], datetime] | None = None) -> None:
        self.context = context
        self.now = now or context.clock.now
        self.leader: Leadership = leadership(context.db.engine, context.settings.data_dir)
        self.last_retention: datetime | None = None
        self.last_partitions: datetime | None = None
        self.last_console_stats: datetime | None = None

    @cached_property
    def push(self) -> PushSender:
        with self.context.db.unit_of_work() as session:
            keys = vapid_keys(session, now=self.now())
        return push_sender(self.context.settings, keys.private_pem)

    def _job(
        self, name: str, results: dict[str, Counter[str]], job: Callable[[], Counter[str]]
    ) -> None:
        try:
            results[name] = job()
        except Exception:
            log.exception("job %s failed; the other jobs go on", name)
            results[name] = Counter({"job_failed": 1})

    def detect_outages(self) -> Counter[str]:
        settings, now = self.context.settings, self.now()
        with self.context.db.unit_of_work() as session:
            changed = detect_outages(
                session, now=now, min_gap=timedelta(seconds=settings.outage_min_gap_s)
            )
            spans = [(o.starts_at, o.ends_at) for o in changed]
        moved = sum(
            reschedule_between(
                self.context.db, now=now, settings=settings, starts_at=start, ends_at=end
            )
            for start, end in spans
        )
        return Counter({"outages": len(spans), "rescheduled": moved})

    def sweep(self) -> Counter[str]:
        return sweep(
            self.context.db,
            now=self.now(),
            settings=self.context.settings,
            batch_size=self.context.settings.sweep_batch_size,
        )

    def patents(self) -> Counter[str]:
        return patent_timers.run(self.context.db, now=self.now(), settings=self.context.settings)

    def deliver(self) -> Counter[str]:
        return deliver_due(
            self.context.db,
            now=self.now,
            settings=self.context.settings,
            sms=self.context.sms,
            push=self.push,
        )

    def nudge(self) -> Counter[str]:
        now = self.now()
        with self.context.db.unit_of_work() as session:
            sent = send_nudges(session, now=now, settings=self.context.settings)
        return Counter({"nudged": sent})

    def retention(self) -> Counter[str]:
        now = self.now()
        if self.last_retention is not None and now - self.last_retention < RETENTION_EVERY:
            return Counter()
        self.last_retention = now
        return apply_retention(self.context.db, now=now, settings=self.context.settings)

    def partitions(self) -> Counter[str]:
        """Report partitions for today and the days ahead (PostgreSQL; idempotent)."""
        now = self.now()
        if self.last_partitions is not None and now - self.last_partitions < PARTITIONS_EVERY:
            return Counter()
        counts = ensure_partitions(
            self.context.db, now=now, days_ahead=self.context.settings.report_partition_days_ahead
        )
        if not counts["partitions_deferred"]:
            self.last_partitions = now
        return counts

    def console_stats(self) -> Counter[str]:
        """The dashboards' daily counts (issue 11), every few minutes."""
        now = self.now()
        if (
            self.last_console_stats is not None
            and now - self.last_console_stats < CONSOLE_STATS_EVERY
        ):
            return Counter()
        self.last_console_stats = now
        with self.context.db.unit_of_work() as session:
            rows = refresh_console_stats(session, now=now, settings=self.context.settings)
        return Counter({"rows": rows})

    def districts(self) -> Counter[str]:
        """Each person's last known police district, from the newly counted fixes."""
        now = self.now()
        with self.context.db.unit_of_work() as session:
            return place_people(session, now=now, batch=self.context.settings.district_batch_size)

    def audit_checkpoint(self) -> Counter[str]:
        """Once a day, sign the audit chain's head into the checkpoint file (audit.checkpoint)."""
        settings, now = self.context.settings, self.now()
        directory = settings.effective_audit_checkpoint_dir
        last = checkpoint.last_checkpoint_at(directory)
        if last is not None and now - last < CHECKPOINT_EVERY:
            return Counter()
        key = checkpoint.signing_key(settings.effective_audit_signing_key_path)
        with self.context.db.unit_of_work(readonly=True) as session:
            written = checkpoint.write_checkpoint(session, now=now, directory=directory, key=key)
        log.info("audit checkpoint signed at event %s", written.seq)
        return Counter({"checkpoints": 1})

    def run_once(self) -> dict[str, Counter[str]]:
        results: dict[str, Counter[str]] = {}
        leading = False
        try:
            leading = self.leader.acquire()
        except Exception:
            log.exception("could not ask for sweep leadership")
        if leading:
            self._job("partitions", results, self.partitions)
            # Outages first: a gap that is still open must move deadlines before the sweep.
            self._job("outages", results, self.detect_outages)
            self._job("sweep", results, self.sweep)
            self._job("nudge", results, self.nudge)
            self._job("patents", results, self.patents)
            self._job("bookings", results, lambda: run_bookings(self.context, self.now()))
        self._job("delivery", results, self.deliver)
        if leading:
            self._job("retention", results, self.retention)
            self._job("console_stats", results, self.console_stats)
            self._job("districts", results, self.districts)
            self._job("audit_checkpoint", results, self.audit_checkpoint)
        results["worker"] = Counter({"leader": int(leading)})
        return results

    def run_forever(self, stop: threading.Event) -> None:
        interval = self.context.settings.worker_interval_s
        log.info("worker started (interval %ss)", interval)
        try:
            while not stop.is_set():
                self.run_once()
                stop.wait(interval)
        finally:
            self.leader.release()
            log.info("worker stopped")
