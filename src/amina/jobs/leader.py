"""Exactly one sweep leader at a time.

On PostgreSQL: a session-level advisory lock, held on a connection of its own for as long as
the process leads; if the process dies, the server releases the lock with the connection.
On SQLite (one machine): an exclusive lock on a file in the data directory.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine, text

# "AMINA" + sweep, as a 64-bit advisory lock key.
ADVISORY_KEY = 0x414D494E41_0001


class Leadership(Protocol):
    def acquire(self) -> bool: ...

    def release(self) -> None: ...


class PostgresLeadership:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.connection: Any = None

    def acquire(self) -> bool:
        if self.connection is not None:
            try:  # still ours, if the connection is alive
                self.connection.execute(text("SELECT 1"))
                return True
            except Exception:
                self.release()
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        held = connection.execute(
            text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}
        ).scalar()
        if held:
            self.connection = connection
            return True
        connection.close()
        return False

    def release(self) -> None:
        if self.connection is not None:
            # If the connection is already gone, so is the lock: nothing left to undo.
            with contextlib.suppress(Exception):
                self.connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY}
                )
            self.connection.close()
            self.connection = None


class FileLeadership:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.fd: int | None = None

    def acquire(self) -> bool:
        if self.fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self.fd = fd
        return True

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
            os.close(self.fd)
            self.fd = None


def leadership(engine: Engine, data_dir: Path) -> Leadership:
    if engine.dialect.name == "postgresql":
        return PostgresLeadership(engine)
    return FileLeadership(data_dir / "sweep-leader.lock")
