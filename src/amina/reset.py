"""`make reset`: delete the development SQLite database so the next `make run` starts afresh.

It only ever removes the SQLite file that the settings name (and its WAL and shared-memory
files), never a PostgreSQL database, and never in production. The secret key stays, so an
installed app's keys stay readable.
"""

from __future__ import annotations

import sys
from pathlib import Path

from amina.config import Settings


def sqlite_files(settings: Settings) -> list[Path]:
    url = settings.effective_database_url
    if not url.startswith("sqlite:///"):
        return []
    database = Path(url.removeprefix("sqlite:///"))
    return [database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))]


def main() -> int:
    settings = Settings()
    if settings.is_production:
        sys.stderr.write("reset refuses to run in production\n")
        return 1
    files = sqlite_files(settings)
    if not files:
        sys.stderr.write("reset only removes a SQLite database; AMINA_DATABASE_URL names another\n")
        return 1
    for path in files:
        path.unlink(missing_ok=True)
    sys.stdout.write(f"Removed {files[0]} (data directory: {settings.data_dir}).\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
