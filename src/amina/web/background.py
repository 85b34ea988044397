"""Threads a serving process runs beside its requests: the availability heartbeat (every API
process records that the intake is up, minute by minute) and, for a single-machine install,
the worker loop in-process (AMINA_WORKER_IN_PROCESS=true)."""

from __future__ import annotations

import logging
import threading

from amina.calendar.availability import beat
from amina.context import AppContext
from amina.jobs.worker import Worker

log = logging.getLogger("amina.background")


class BackgroundThreads:
    def __init__(self, context: AppContext) -> None:
        self.context = context
        self.stopping = threading.Event()
        self.threads: list[threading.Thread] = []

    def _heartbeat(self) -> None:
        interval = self.context.settings.heartbeat_interval_s
        while not self.stopping.is_set():
            try:
                with self.context.db.unit_of_work() as session:
                    beat(session, now=self.context.clock.now())
            except Exception:
                log.exception("could not record the availability heartbeat")
            self.stopping.wait(interval)

    def start(self) -> None:
        settings = self.context.settings
        if settings.heartbeat_interval_s > 0:
            self.threads.append(
                threading.Thread(target=self._heartbeat, name="amina-heartbeat", daemon=True)
            )
        if settings.worker_in_process:
            worker = Worker(self.context)
            self.threads.append(
                threading.Thread(
                    target=worker.run_forever,
                    args=(self.stopping,),
                    name="amina-worker",
                    daemon=True,
                )
            )
        for thread in self.threads:
            thread.start()

    def stop(self) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)
