"""`python -m bench.intake.flatness`: is intake as fast with a city's data as with a small one?

Issue 8 asks that 100,000 devices and 20 M stored reports on PostgreSQL stay within 10 % of
1,000 devices. Run one population after the other and the machine's own drift (the trivial
POST's rate moved 30 % within minutes on the development machines) swamps a 10 % effect. So
both populations are served at once, each by its own `amina serve` (one process) on its own
scratch database, and wrk loads them in alternating rounds: small, large, small, large, … Each
large round is compared with the mean of the small rounds on either side of it, and the
summary is the median of those ratios. Only one server is loaded at a time; the idle one costs
nothing.

Beside the rates: server and PostgreSQL CPU per request, from /proc, per round.

    python -m bench.intake.flatness [--small 1000] [--large 100000] [--stored-reports 20000000]
                                    [--kinds single,owntracks] [--rounds 6] [--duration 10]

Results: bench/results/flatness-<time>.json and .md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from datetime import UTC, datetime
from typing import Any

from .server import Server, drop_postgres, free_port
from .wrk import (
    REQUESTS_PER_ROUND,
    Population,
    Round,
    add_run_options,
    measure,
    prepare_population,
    stored_share,
    warm_up,
    write_requests,
    write_results,
)


def pair_ratios(small: list[float], large: list[float]) -> list[float]:
    """Each large round against the mean of the small rounds either side of it (rounds go
    small, large, small, …, small; were the closing small round missing, the last large one is
    compared with the one before it)."""
    ratios = []
    for index, rate in enumerate(large):
        around = small[index : index + 2]
        ratios.append(rate / statistics.fmean(around))
    return ratios


def compare(
    args: argparse.Namespace, kind: str, servers: list[tuple[Population, Server]]
) -> dict[str, Any]:
    rounds: list[list[Round]] = [[], []]
    # small, large, small, large, …, small: every large round has a small one on each side
    order = [0, 1] * args.rounds + [0]
    for which in order:
        population, server = servers[which]
        # Each round its own requests: reports no round before sent (wrk.write_requests).
        requests_file = write_requests(
            population.work / f"flat-{kind}.txt",
            population,
            kind,
            REQUESTS_PER_ROUND[kind],
            datetime.now(UTC),
        )
        rounds[which].append(
            measure(
                "intake",
                kind,
                f"http://127.0.0.1:{server.port}",
                requests_file,
                args.concurrency,
                args.duration,
                server.pid,
                population.pg,
                database_url=population.url,
            )
        )
        requests_file.unlink()
    small, large = ([r.requests_s for r in side] for side in rounds)
    ratios = pair_ratios(small, large)
    return {
        "kind": kind,
        "concurrency": args.concurrency,
        "small": {"devices": servers[0][0].devices, "stored": servers[0][0].stored},
        "large": {"devices": servers[1][0].devices, "stored": servers[1][0].stored},
        "small_req_s": small,
        "large_req_s": large,
        "ratios": [round(r, 3) for r in ratios],
        "median_ratio": round(statistics.median(ratios), 3),
        "small_cpu_ms": [r.cpu_ms_per_request for r in rounds[0]],
        "large_cpu_ms": [r.cpu_ms_per_request for r in rounds[1]],
        "small_pg_cpu_ms": [r.postgres_ms_per_request for r in rounds[0]],
        "large_pg_cpu_ms": [r.postgres_ms_per_request for r in rounds[1]],
        "non_2xx": sum(r.non_2xx for side in rounds for r in side),
        "resent": sum(r.resent for side in rounds for r in side),
        "stored_share": stored_share([r for side in rounds for r in side], 1),
    }


def markdown(rows: list[dict[str, Any]]) -> str:
    def median(values: list[Any]) -> str:
        known = [v for v in values if v is not None]
        return f"{statistics.median(known):.3f}" if known else ""

    lines = [
        "| kind | in flight | small: devices / stored | large: devices / stored "
        "| small req/s (rounds) | large req/s (rounds) | large / small per pair | median "
        "| server CPU ms/req small / large | PG CPU ms/req small / large | non-2xx |",
        "|---|---:|---|---|---|---|---|---:|---|---|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['kind']} | {r['concurrency']} "
            f"| {r['small']['devices']:,} / {r['small']['stored']:,} "
            f"| {r['large']['devices']:,} / {r['large']['stored']:,} "
            f"| {', '.join(f'{v:,.0f}' for v in r['small_req_s'])} "
            f"| {', '.join(f'{v:,.0f}' for v in r['large_req_s'])} "
            f"| {', '.join(f'{v:.3f}' for v in r['ratios'])} | **{r['median_ratio']}** "
            f"| {median(r['small_cpu_ms'])} / {median(r['large_cpu_ms'])} "
            f"| {median(r['small_pg_cpu_ms'])} / {median(r['large_pg_cpu_ms'])} "
            f"| {r['non_2xx']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.intake.flatness", description=__doc__)
    p.add_argument("--small", type=int, default=1_000, help="devices of the small population")
    p.add_argument("--large", type=int, default=100_000, help="devices of the large one")
    p.add_argument("--stored-reports", type=int, default=20_000_000, help="the large one's")
    p.add_argument("--kinds", default="single,owntracks")
    p.add_argument("--concurrency", type=int, default=64)
    p.add_argument("--rounds", type=int, default=6, help="large rounds (one more small)")
    add_run_options(p, work="/tmp/amina-flatness-bench")
    args = p.parse_args(argv)
    kinds = [k for k in args.kinds.split(",") if k]
    if shutil.which("wrk") is None:
        print("wrk is missing: apt-get install -y wrk", file=sys.stderr)
        return 2
    if args.small == args.large:
        print("--small and --large must differ (each has a database of its own)", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    out = args.out / f"flatness-{datetime.now(UTC):%Y%m%d-%H%M%S}"
    populations = [
        prepare_population(args, "postgresql", args.small),
        prepare_population(args, "postgresql", args.large, stored_reports=args.stored_reports),
    ]
    servers: list[tuple[Population, Server]] = []
    rows: list[dict[str, Any]] = []
    try:
        for population in populations:
            server = Server(population.env, free_port(), 1, population.work / "serve.log")
            server.start()
            servers.append((population, server))
            warm_up(server.port, population, kinds, args.warmup)
        for kind in kinds:
            row = compare(args, kind, servers)
            rows.append(row)
            print(json.dumps(row), flush=True)
    finally:
        for _, server in servers:
            server.stop()
        if not args.keep:
            for population in populations:
                if population.pg is not None:
                    drop_postgres(args.pg_admin_url, population.pg)
    write_results(out, rows, markdown(rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
