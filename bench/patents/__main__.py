"""Benchmark the worker's patent job (reminders and lapses) on PostgreSQL.

A city's patents lapse spread over the month, so on any day about a quarter of them are within
a week of their lapse. The job must not read them all on every run (every 30 s): it reads only
the patents whose `next_reminder_at` or `lapses_at` is due (partial and composite indexes).

Seeded server-side with generate_series: N patents, `--due` of them with a reminder due now and
`--lapsing` of them lapsing now; the rest have their next reminder later. Then the job runs
once with those due, and again with nothing due.
"""

from __future__ import annotations

import argparse
import time
import uuid
from datetime import datetime

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from amina.config import Settings
from amina.db import Database
from amina.patents import timers
from amina.rules.calendar import MOSCOW
from amina.schema import upgrade

NOW = datetime(2026, 4, 8, 10, 5, tzinfo=MOSCOW)

SEED = """
INSERT INTO persons (id, surname, given_names, birth_date, citizenship, phone, purpose,
                     entry_date, category, residence_permit, language, created_at, updated_at)
SELECT md5('p' || g)::uuid, 'Bench', 'Person', DATE '1990-01-01', 'UZ',
       '+99890' || lpad(g::text, 7, '0'), 'work', DATE '2026-03-01', 'none', false, 'uz',
       :now, :now
FROM generate_series(1, :n) AS g;

INSERT INTO patents (id, person_id, series, number, issued_on, region, inn, status, months_paid,
                     valid_through, lapses_at, next_reminder_at, created_at, updated_at)
SELECT md5('t' || g)::uuid, md5('p' || g)::uuid, '77', lpad(g::text, 10, '0'),
       CASE WHEN g <= :lapsing THEN DATE '2026-03-08' ELSE DATE '2026-03-15' END,
       'moscow', '500100732259', 'valid', 1,
       CASE WHEN g <= :lapsing THEN DATE '2026-04-07' ELSE DATE '2026-04-14' END,
       CASE WHEN g <= :lapsing THEN TIMESTAMPTZ '2026-04-08 00:00+03'
            ELSE TIMESTAMPTZ '2026-04-15 00:00+03' END,
       CASE WHEN g <= :lapsing THEN TIMESTAMPTZ '2026-04-08 10:00+03'
            WHEN g <= :lapsing + :due THEN TIMESTAMPTZ '2026-04-08 10:00+03'
            ELSE TIMESTAMPTZ '2026-04-12 10:00+03' END,
       :now, :now
FROM generate_series(1, :n) AS g;
ANALYZE persons; ANALYZE patents;
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--server", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--patents", type=int, default=200_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--lapsing", type=int, default=1_000)
    args = parser.parse_args()
    name = f"amina_bench_patents_{uuid.uuid4().hex[:8]}"
    admin = create_engine(args.server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(args.server).set(database=name).render_as_string(hide_password=False)
    db = Database.connect(url)
    try:
        upgrade(db.engine)
        started = time.perf_counter()
        with db.engine.begin() as connection:
            for statement in filter(str.strip, SEED.split(";")):
                connection.execute(
                    text(statement),
                    {"n": args.patents, "due": args.due, "lapsing": args.lapsing, "now": NOW},
                )
        print(f"seeded {args.patents:,} patents in {time.perf_counter() - started:.1f} s")
        settings = Settings()
        for label in ("due", "nothing due"):
            started = time.perf_counter()
            counts = timers.run(db, now=NOW, settings=settings)
            elapsed = time.perf_counter() - started
            print(f"{label}: {dict(counts)} in {elapsed * 1000:.0f} ms")
    finally:
        db.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
