"""Benchmark the officer console's reads on PostgreSQL (issue 11).

Targets, with 1,000,000 persons and a person with 30 days × 96 reports:
- search p95 < 100 ms (card, phone, surname + birth date);
- person page p95 < 300 ms (the audited opening, the page, the timeline and the map points);
- each dashboard < 1 s (read from the worker's daily counts; the refresh is timed too).

The population is seeded server-side with generate_series into a scratch database that is
dropped at the end. Not seeded: 100 million reports (only the one person's 2,880): dashboards
read the summary table, whose size does not grow with reports; the worker's refresh does.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import text

from amina.audit.service import Actor
from amina.config import Settings
from amina.console import dashboards, reads, stats
from amina.console import person as person_page
from amina.console import timeline as views
from amina.console.reads import ReasonCategory
from amina.console.search import Query, SearchKind, search
from amina.db import Database
from amina.officers.models import Role
from amina.officers.service import add_officer
from amina.rules.calendar import MOSCOW, moscow_date
from amina.schema import upgrade
from bench.sweep.__main__ import drop, scratch_database

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)
SEED = """
INSERT INTO persons (id, surname, given_names, birth_date, citizenship, phone, purpose,
                     entry_date, category, residence_permit, language, created_at, updated_at)
SELECT md5('p' || g)::uuid, 'S' || (g % 60000), 'Person', DATE '1970-01-01' + (g % 15000), 'UZ',
       '+99890' || lpad(g::text, 7, '0'), 'work', DATE '2025-06-01', 'none', false, 'ru',
       :now, :now
FROM generate_series(1, :n) AS g;

INSERT INTO documents (id, person_id, kind, country, number, status, created_at)
SELECT md5('c' || g)::uuid, md5('p' || g)::uuid, 'card', 'RU', '77' || lpad(g::text, 10, '0'),
       'valid', :now
FROM generate_series(1, :n) AS g;

INSERT INTO registrations (id, person_id, status, address, registered_at, test_mode,
                           consent_version, consent_at)
SELECT md5('r' || g)::uuid, md5('p' || g)::uuid, 'active', 'ММЦ Сахарово',
       :now - interval '40 days', false, '2025-09-01', :now
FROM generate_series(1, :n) AS g;

INSERT INTO monitoring_states (person_id, registration_id, last_monitoring_at,
                               last_monitoring_source, next_step, next_step_at, updated_at)
SELECT md5('p' || g)::uuid, md5('r' || g)::uuid, :now - interval '1 hour', 'report', 'reminder',
       :now + interval '2 days' + (g % 1000) * interval '1 minute', :now
FROM generate_series(1, :n) AS g;

INSERT INTO devices (id, person_id, platform, created_at)
VALUES (md5('d1')::uuid, md5('p1')::uuid, 'android', :now);

INSERT INTO location_reports (device_id, client_id, person_id, recorded_at, received_at, lat, lon,
                              accuracy_m, source, mock, heartbeat, placement, impossible_speed,
                              counted)
SELECT md5('d1')::uuid, md5('l' || g)::uuid, md5('p1')::uuid,
       :now - g * interval '15 minutes', :now - g * interval '15 minutes',
       55.75 + (g % 50) * 0.001, 37.6 + (g % 70) * 0.001, 25, 'fused', false, false, 'inside',
       false, true
FROM generate_series(1, 2880) AS g;
"""


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))]


def timed(repeats: int, call: Callable[[int], object]) -> list[float]:
    out = []
    for i in range(repeats):
        started = time.perf_counter()
        call(i)
        out.append((time.perf_counter() - started) * 1000)
    return out


def report(name: str, samples: list[float], target: str) -> None:
    print(
        f"{name}: median {statistics.median(samples):.1f} ms, p95 {p95(samples):.1f} ms, "
        f"max {max(samples):.1f} ms over {len(samples)} ({target})",
        flush=True,
    )


def run(server_url: str, population: int, repeats: int) -> None:
    settings = Settings()
    name, url = scratch_database(server_url)
    try:
        db = Database.connect(url)
        upgrade(db.engine)
        print(f"seeding {population:,} persons with cards and registrations…", flush=True)
        started = time.perf_counter()
        with db.engine.begin() as connection:
            for statement in filter(str.strip, SEED.split(";")):
                connection.execute(text(statement), {"n": population, "now": NOW})
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        print(f"  seeded in {time.perf_counter() - started:.1f} s", flush=True)
        with db.unit_of_work() as session:
            officer = add_officer(
                session,
                now=NOW,
                actor=Actor("cli", "bench"),
                username="bench",
                display_name="Bench",
                role=Role.SUPERVISOR,
                password="bench-password-123",  # noqa: S106 - a scratch database
            )
        rng = random.Random(11)

        def one_search(i: int) -> None:
            g = rng.randint(1, population)
            kind = (SearchKind.CARD, SearchKind.PHONE, SearchKind.NAME)[i % 3]
            query = {
                SearchKind.CARD: Query(kind, f"77{g:010d}"),
                SearchKind.PHONE: Query(kind, f"+99890{g:07d}"),
                SearchKind.NAME: Query(
                    kind, f"S{g % 60000}", birth_date=date(1970, 1, 1) + timedelta(days=g % 15000)
                ),
            }[kind]
            with db.unit_of_work() as session:
                hits = search(session, now=NOW, officer=officer, query=query)
            assert any(h.person_id == uuid.UUID(_md5_uuid(f"p{g}")) for h in hits), (kind, g)

        one_search(0)
        report("search", timed(repeats, one_search), "target p95 < 100 ms")

        person_id = uuid.UUID(_md5_uuid("p1"))

        def one_page(_: int) -> None:
            with db.unit_of_work() as session:
                grant = reads.audited(
                    session,
                    now=NOW,
                    officer=officer,
                    person_id=person_id,
                    view="person",
                    category=ReasonCategory.OTHER,
                    reason="benchmark run",
                    opening=True,
                )
                page = person_page.page(session, grant, now=NOW, settings=settings)
                entries = views.timeline(session, grant, now=NOW)
                points = views.points(session, grant, now=NOW)
            assert page.person.id == person_id and len(points) == 2880 and entries

        one_page(0)
        report("person page + timeline + map", timed(repeats, one_page), "target p95 < 300 ms")

        started = time.perf_counter()
        with db.unit_of_work() as session:
            for offset in range(30, 0, -3):
                stats.refresh(session, now=NOW - timedelta(days=offset), settings=settings)
            stats.refresh(session, now=NOW, settings=settings)
        print(
            f"worker refresh of the daily counts (30 days): {time.perf_counter() - started:.1f} s"
        )
        today = moscow_date(NOW)
        for chart in dashboards.CHARTS:

            def draw(_: int, chart: str = chart) -> None:
                with db.unit_of_work(readonly=True) as session:
                    dashboards.chart(session, chart, today=today)

            draw(0)
            report(f"dashboard {chart}", timed(max(5, repeats // 10), draw), "target < 1 s")
        db.dispose()
    finally:
        drop(server_url, name)


def _md5_uuid(value: str) -> str:
    import hashlib

    return str(uuid.UUID(hashlib.md5(value.encode()).hexdigest()))  # noqa: S324 - ids, not security


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.console",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--server-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
    )
    parser.add_argument("--population", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=200)
    args = parser.parse_args()
    run(args.server_url, args.population, args.repeats)


if __name__ == "__main__":
    main()
