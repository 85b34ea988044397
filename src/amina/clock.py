"""Where "now" comes from. Only the edges (a request, a job run, a CLI command) read a clock;
everything below takes `now` as an argument."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Starts at `start` and runs on in real time (AMINA_NOW, for demos and tests)."""

    def __init__(self, start: datetime) -> None:
        self._start = start.astimezone(UTC)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


class FixedClock:
    """Stands still until moved: tests pin time with it."""

    def __init__(self, at: datetime) -> None:
        self._lock = threading.Lock()
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        with self._lock:
            return self._at

    def set(self, at: datetime) -> None:
        with self._lock:
            self._at = at.astimezone(UTC)

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._at += delta
            return self._at


def clock_for(start: datetime | None) -> Clock:
    return SystemClock() if start is None else ShiftedClock(start)
