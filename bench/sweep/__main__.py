"""Benchmark the monitoring sweep on PostgreSQL with a city-scale population.

Targets (issue 4), with 1,000,000 active registrations:
- a sweep with nothing due: under 50 ms;
- 10,000 due steps: under 5 s.

The population is seeded server-side with generate_series (seconds, not minutes): everyone is
registered and monitored, 10,000 of them last seen on Mon 16 Nov 2026 (reminder due Wed 18 Nov
09:00), the rest on Tue 17 Nov (reminder due Thu 19 Nov). The sweep runs in-process, exactly
as `amina worker` runs it, against a scratch database that is dropped at the end.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from datetime import datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from amina import vault
from amina.config import Settings
from amina.db import Database
from amina.monitoring.sweep import sweep
from amina.rules.calendar import MOSCOW
from amina.schema import upgrade

DUE_L = datetime(2026, 11, 16, 12, 0, tzinfo=MOSCOW)
LATER_L = datetime(2026, 11, 17, 12, 0, tzinfo=MOSCOW)
REMINDER_DUE = datetime(2026, 11, 18, 9, 0, tzinfo=MOSCOW)
REMINDER_LATER = datetime(2026, 11, 19, 9, 0, tzinfo=MOSCOW)
NOTHING_DUE = datetime(2026, 11, 18, 8, 59, tzinfo=MOSCOW)

SEED = """
INSERT INTO persons (id, surname_enc, given_names_enc, birth_date_enc, citizenship, phone_enc,
                     phone_hash, surname_birth_hash, purpose, entry_date, category,
                     residence_permit, language, created_at, updated_at)
SELECT md5('p' || g)::uuid, :surname, :given, :born, 'UZ', :phone, :phone_hash, :sb_hash,
       'work', DATE '2025-06-01', 'none', false, 'ru', :now, :now
FROM generate_series(1, :n) AS g;

INSERT INTO registrations (id, person_id, status, address, registered_at, test_mode,
                           consent_version, consent_at)
SELECT md5('r' || g)::uuid, md5('p' || g)::uuid, 'active', 'ММЦ Сахарово', :now, false,
       '2025-09-01', :now
FROM generate_series(1, :n) AS g;

INSERT INTO monitoring_states (person_id, registration_id, last_monitoring_at,
                               last_monitoring_source, next_step, next_step_at, updated_at)
SELECT md5('p' || g)::uuid, md5('r' || g)::uuid,
       CASE WHEN g <= :due THEN CAST(:due_l AS timestamptz) ELSE CAST(:later_l AS timestamptz) END,
       'report', 'reminder',
       CASE WHEN g <= :due THEN CAST(:due_at AS timestamptz)
            ELSE CAST(:later_at AS timestamptz) END,
       :now
FROM generate_series(1, :n) AS g;
"""


def scratch_database(server_url: str) -> tuple[str, str]:
    name = f"amina_bench_sweep_{uuid.uuid4().hex[:8]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop(server_url: str, name: str) -> None:
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _encrypted() -> dict[str, str]:
    """One person's encrypted fields (amina.vault), shared by every seeded row."""
    keyring = vault.install(vault.Keyring([b"amina-bench-sweep-secret-0123456789abcdef"]))
    return {
        "surname": keyring.encrypt("name", "Bench"),
        "given": keyring.encrypt("name", "Person"),
        "born": keyring.encrypt("birth-date", "1990-01-01"),
        "phone": keyring.encrypt("phone", "+998900000000"),
        "phone_hash": keyring.lookup("phone", "+998900000000"),
        "sb_hash": keyring.lookup("surname-birth-date", "bench|1990-01-01"),
    }


def seed(db: Database, population: int, due: int) -> float:
    started = time.perf_counter()
    encrypted = _encrypted()
    with db.engine.begin() as connection:
        for statement in filter(str.strip, SEED.split(";")):
            connection.execute(
                text(statement),
                {
                    "n": population,
                    "due": due,
                    "now": DUE_L,
                    "due_l": DUE_L,
                    "later_l": LATER_L,
                    "due_at": REMINDER_DUE,
                    "later_at": REMINDER_LATER,
                    **encrypted,
                },
            )
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


def run(server_url: str, population: int, due: int, batch_size: int, repeats: int) -> None:
    settings = Settings(sweep_batch_size=batch_size)
    name, url = scratch_database(server_url)
    try:
        db = Database.connect(url)
        upgrade(db.engine)
        print(f"seeding {population:,} active registrations ({due:,} due)…", flush=True)
        print(f"  seeded in {seed(db, population, due):.1f} s", flush=True)

        sweep(db, now=NOTHING_DUE, settings=settings)  # warm the pool and the caches
        empty = []
        for _ in range(repeats):
            started = time.perf_counter()
            counts = sweep(db, now=NOTHING_DUE, settings=settings, batch_size=batch_size)
            empty.append((time.perf_counter() - started) * 1000)
            assert sum(counts.values()) == 0, counts
        print(
            f"nothing due: median {statistics.median(empty):.1f} ms, "
            f"p95 {sorted(empty)[int(0.95 * (len(empty) - 1))]:.1f} ms, "
            f"max {max(empty):.1f} ms over {repeats} sweeps (target < 50 ms)",
            flush=True,
        )

        started = time.perf_counter()
        counts = sweep(db, now=REMINDER_DUE, settings=settings, batch_size=batch_size)
        elapsed = time.perf_counter() - started
        assert counts["reminder"] == due, counts
        print(
            f"{due:,} due steps: {elapsed:.2f} s ({due / elapsed:,.0f} steps/s, "
            f"batch {batch_size}) (target < 5 s)",
            flush=True,
        )
        again = sweep(db, now=REMINDER_DUE, settings=settings, batch_size=batch_size)
        assert sum(again.values()) == 0, again  # every step taken exactly once
        db.dispose()
    finally:
        drop(server_url, name)


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.sweep",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--server-url",
        default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
        help="a PostgreSQL database to create the scratch database from",
    )
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=Settings().sweep_batch_size)
    parser.add_argument("--repeats", type=int, default=50, help="empty sweeps to time")
    args = parser.parse_args()
    run(args.server_url, args.population, args.due, args.batch_size, args.repeats)


if __name__ == "__main__":
    main()
