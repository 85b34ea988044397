"""Benchmark the officer console's reads on PostgreSQL (issue 11).

Targets, with 1,000,000 persons and a person with 30 days × 96 reports:
- search p95 < 100 ms (card, passport, phone, surname + birth date; audited);
- person page p95 < 300 ms (the audited opening, the page, the timeline and the map points);
- each dashboard < 1 s (read from the worker's daily counts; the refresh is timed too).

The population is stored as the application stores it: names, phones, birth dates and
document numbers encrypted by the vault, with their keyed lookup hashes (bench/console/seed.py),
in a scratch database dropped at the end. Search and the person page are timed twice: through
the console's functions in one unit of work, and through the console's own HTTP routes (a
signed-in officer's TestClient: session check, audited opening with a reason, then the person,
timeline and map pages rendered). Not seeded: 100 million reports (only the one person's
2,880): dashboards read the summary table, whose size does not grow with reports.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import text

from amina import vault
from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.config import Settings
from amina.console import dashboards, reads, stats
from amina.console import person as person_page
from amina.console import timeline as views
from amina.console.reads import ReasonCategory
from amina.console.search import Query, SearchKind, search
from amina.context import AppContext
from amina.officers import second_factor
from amina.officers.models import Officer, Role
from amina.officers.service import add_officer
from amina.people import ids
from amina.rules.calendar import MOSCOW, moscow_date
from amina.schema import upgrade
from amina.web.app import create_app
from bench.console import seed
from bench.sweep.__main__ import drop, scratch_database

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)
SECRET = SecretStr("bench-console-" + "k3" * 24)  # a scratch database's key
PASSWORD = "bench-password-123"  # noqa: S105 - a scratch database
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
REPORTS = 2880


def p95(samples: list[float]) -> float:
    return sorted(samples)[int(0.95 * (len(samples) - 1))]


class Samples(list[float]):
    """Wall-clock milliseconds, and this process's CPU milliseconds (all threads: the app runs
    in-process), which say more than the wall clock on a loaded machine."""

    cpu: list[float]


def timed(repeats: int, call: Callable[[int], object]) -> Samples:
    out = Samples()
    out.cpu = []
    for i in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        call(i)
        out.append((time.perf_counter() - started) * 1000)
        out.cpu.append((time.process_time() - cpu) * 1000)
    return out


def report(name: str, samples: list[float], target: str) -> None:
    cpu = getattr(samples, "cpu", None)
    print(
        f"{name}: median {statistics.median(samples):.1f} ms, p95 {p95(samples):.1f} ms, "
        f"max {max(samples):.1f} ms over {len(samples)}"
        + (f"; Python CPU median {statistics.median(cpu):.1f} ms" if cpu else "")
        + f" ({target})",
        flush=True,
    )


def query_for(kind: SearchKind, g: int) -> Query:
    if kind is SearchKind.CARD:
        return Query(kind, seed.card(g))
    if kind is SearchKind.PASSPORT:
        return Query(kind, seed.passport(g), citizenship=seed.CITIZENSHIP)
    if kind is SearchKind.PHONE:
        return Query(kind, seed.phone(g))
    return Query(kind, seed.surname(g), birth_date=seed.birth_date(g))


def officer_and_client(context: AppContext, clock: FixedClock) -> tuple[Officer, TestClient]:
    """A supervisor with a second factor, signed in through the console's own forms."""
    with context.db.unit_of_work() as session:
        officer = add_officer(
            session,
            now=clock.now(),
            actor=Actor("cli", "bench"),
            username="bench",
            display_name="Bench",
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
        secret = second_factor.new_secret()
        officer.totp_secret = second_factor.seal(context.keys, secret)
        officer.totp_enrolled_at = clock.now()
    client = TestClient(create_app(context.settings, context=context))
    client.__enter__()
    csrf = CSRF.findall(client.get("/console").text)[0]
    form = {"csrf": csrf, "username": "bench", "password": PASSWORD}
    client.post("/console/sign-in", data=form, follow_redirects=False)
    csrf = CSRF.findall(client.get("/console/second-factor").text)[0]
    clock.advance(timedelta(seconds=30))
    code = second_factor.current_code(secret, clock.now())
    signed = client.post("/console/second-factor", data={"csrf": csrf, "code": code})
    assert signed.status_code == 200, signed.text[:300]
    return officer, client


def explain(context: AppContext) -> None:
    """The plans of the keyed-hash lookups and of the timeline's per-person reads."""
    keyring = vault.current()
    g = 1
    hashes = {
        "phone": keyring.lookup("phone", ids.lookup_phone(seed.phone(g))),
        "name": keyring.lookup(
            "surname-birth-date", ids.surname_birth_lookup_text(seed.surname(g), seed.birth_date(g))
        ),
        "card": keyring.lookup("document", ids.document_lookup_text("card", "RU", seed.card(g))),
    }
    plans = {
        "search by phone": ("SELECT id FROM persons WHERE phone_hash IN (:h)", hashes["phone"]),
        "search by surname + birth date": (
            "SELECT id FROM persons WHERE surname_birth_hash IN (:h)",
            hashes["name"],
        ),
        "search by card": (
            "SELECT person_id FROM documents WHERE number_hash IN (:h)",
            hashes["card"],
        ),
        "timeline: other agencies' events": (
            "SELECT * FROM integration_events WHERE person_id = :h",
            seed.person_id(g),
        ),
        "timeline: folded report days": (
            "SELECT count(*) FROM location_reports WHERE person_id = :h"
            " AND recorded_at >= CAST(:now AS timestamptz) - interval '30 days'",
            seed.person_id(1),
        ),
    }
    with context.db.engine.connect() as connection:
        for name, (sql, value) in plans.items():
            plan = connection.execute(
                text(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}"), {"h": value, "now": NOW}
            )
            lines = [row[0].strip() for row in plan]
            nodes = [line.lstrip("-> ").split(" (actual")[0] for line in lines if "actual" in line]
            print(f"plan, {name}: {' / '.join(nodes)}; {lines[-1]}", flush=True)


def bench_search(context: AppContext, officer: Officer, client: TestClient, args: Args) -> None:
    rng = random.Random(11)
    kinds = list(SearchKind)

    def in_process(i: int) -> None:
        g = rng.randint(1, args.population)
        kind = kinds[i % len(kinds)]
        with context.db.unit_of_work() as session:
            hits = search(session, now=NOW, officer=officer, query=query_for(kind, g))
        assert any(h.person_id == seed.person_id(g) for h in hits), (kind, g)

    in_process(0)
    report("search, in process", timed(args.repeats, in_process), "target p95 < 100 ms")
    csrf = CSRF.findall(client.get("/console/search").text)[0]

    def over_http(i: int) -> None:
        g = rng.randint(1, args.population)
        query = query_for(kinds[i % len(kinds)], g)
        form = {
            "csrf": csrf,
            "kind": query.kind.value,
            "value": query.value,
            "citizenship": query.citizenship,
            "birth_date": query.birth_date.isoformat() if query.birth_date else "",
        }
        page = client.post("/console/search", data=form)
        assert page.status_code == 200 and str(seed.person_id(g)) in page.text, (query, g)

    over_http(0)
    report("search, HTTP", timed(args.repeats, over_http), "target p95 < 100 ms")


def bench_person(context: AppContext, officer: Officer, client: TestClient, args: Args) -> None:
    person_id = seed.person_id(1)

    def in_process(_: int) -> None:
        with context.db.unit_of_work() as session:
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
            page = person_page.page(session, grant, now=NOW, settings=context.settings)
            entries = views.timeline(session, grant, now=NOW)
            points = views.points(session, grant, now=NOW)
        assert page.person.id == person_id and len(points) == REPORTS and entries

    in_process(0)
    report(
        "person page + timeline + map, in process",
        timed(args.repeats, in_process),
        "target p95 < 300 ms",
    )
    csrf = CSRF.findall(client.get(f"/console/people/{person_id}/open").text)[0]

    steps: dict[str, list[float]] = {"open": [], "person": [], "timeline": [], "map": []}

    def over_http(_: int) -> None:
        started = time.perf_counter()
        opened = client.post(
            f"/console/people/{person_id}/open",
            data={"csrf": csrf, "category": "other", "reason": "benchmark run"},
            follow_redirects=False,
        )
        assert opened.status_code == 303, opened.text[:300]
        steps["open"].append((time.perf_counter() - started) * 1000)
        token = opened.headers["location"].split("?o=", 1)[1]
        base = f"/console/people/{person_id}"
        for step, path in zip(
            ("person", "timeline", "map"), (base, f"{base}/timeline", f"{base}/map"), strict=True
        ):
            started = time.perf_counter()
            shown = client.get(path, params={"o": token})
            assert shown.status_code == 200, (path, shown.text[:300])
            steps[step].append((time.perf_counter() - started) * 1000)
        assert shown.text.count("+00:00") == REPORTS, shown.text.count("+00:00")

    over_http(0)
    report(
        "person page + timeline + map, HTTP (open, 3 pages)",
        timed(args.repeats, over_http),
        "target p95 < 300 ms",
    )
    for step, samples in steps.items():
        report(f"  of which {step}", samples[1:], "one request")


def bench_dashboards(context: AppContext, args: Args) -> None:
    started = time.perf_counter()
    with context.db.unit_of_work() as session:
        for offset in range(30, 0, -3):
            stats.refresh(session, now=NOW - timedelta(days=offset), settings=context.settings)
        stats.refresh(session, now=NOW, settings=context.settings)
    print(f"worker refresh of the daily counts (30 days): {time.perf_counter() - started:.1f} s")
    today = moscow_date(NOW)
    for chart in dashboards.CHARTS:

        def draw(_: int, chart: str = chart) -> None:
            with context.db.unit_of_work(readonly=True) as session:
                dashboards.chart(session, chart, today=today)

        draw(0)
        report(f"dashboard {chart}", timed(max(5, args.repeats // 10), draw), "target < 1 s")


class Args(argparse.Namespace):
    server_url: str
    population: int
    repeats: int


def run(args: Args) -> None:
    name, url = scratch_database(args.server_url)
    try:
        clock = FixedClock(NOW)
        settings = Settings(database_url=url, secret_key=SECRET)
        context = AppContext.from_settings(settings, clock)  # installs the vault's keyring
        upgrade(context.db.engine)
        print(f"seeding {args.population:,} persons (encrypted, with keyed hashes)…", flush=True)
        keyring = vault.current()
        seconds = seed.seed(context.db, keyring, args.population, NOW)
        print(f"  seeded in {seconds:.1f} s", flush=True)
        explain(context)
        officer, client = officer_and_client(context, clock)
        try:
            bench_search(context, officer, client, args)
            bench_person(context, officer, client, args)
            bench_dashboards(context, args)
        finally:
            client.__exit__(None, None, None)
        context.db.dispose()
    finally:
        drop(args.server_url, name)


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
    run(parser.parse_args(namespace=Args()))


if __name__ == "__main__":
    main()
