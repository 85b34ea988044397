"""`python -m bench.intake`: the report-intake benchmark (see docs/performance.md)."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from .fleet import DEFAULT_SEED
from .runner import DEFAULT_PG_ADMIN_URL, DEFAULT_PG_DATABASE, Bench, Options

DATABASES = ("sqlite", "postgresql")


def _ints(value: str) -> list[int]:
    try:
        numbers = [int(part.replace("_", "")) for part in value.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of integers: {value!r}") from None
    if not numbers or any(n < 1 for n in numbers):
        raise argparse.ArgumentTypeError(f"positive integers, comma-separated: {value!r}")
    return numbers


def _databases(value: str) -> list[str]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    unknown = sorted(set(names) - set(DATABASES))
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(DATABASES)}: {value!r}")
    return names


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m bench.intake",
        description=(
            "Report-intake benchmark (issue 3): seeds N registered devices, starts `amina serve`, "
            "and measures signed POST /api/v1/me/locations (1 and 100 reports per request) "
            "against the GET /api/v1/health ceiling of the same server, on SQLite and "
            "PostgreSQL. Results: a JSON file and a Markdown table in --out."
        ),
        epilog="Run the full matrix with --all (about 20 minutes on 2 vCPUs).",
    )
    what = p.add_argument_group("what to run (nothing runs without --all, --quick or a selection)")
    what.add_argument(
        "--all",
        action="store_true",
        help="the full matrix: sqlite,postgresql x 1000,100000 devices x 1,100 reports/request, "
        "plus --workers 2 on PostgreSQL",
    )
    what.add_argument(
        "--quick", action="store_true", help="a smoke run: 1,000 devices, 3 s per scenario"
    )
    what.add_argument("--databases", type=_databases, help="e.g. sqlite,postgresql")
    what.add_argument("--devices", type=_ints, help="registered devices, e.g. 1000,100000")
    what.add_argument("--batches", type=_ints, help="reports per request, e.g. 1,100")
    what.add_argument(
        "--concurrency", type=_ints, help="requests in flight; several values = a sweep (16)"
    )
    what.add_argument(
        "--pg-workers", type=_ints, help="`amina serve --workers` values on PostgreSQL (1,2)"
    )
    how = p.add_argument_group("how")
    how.add_argument("--duration", type=float, help="seconds per timed run (20; --quick 3)")
    how.add_argument("--warmup", type=float, help="seconds of warm-up per scenario (3; --quick 1)")
    how.add_argument("--no-ceiling", action="store_true", help="skip GET /api/v1/health")
    how.add_argument("--no-wrk", action="store_true", help="skip the wrk cross-check")
    how.add_argument("--no-calibrate", action="store_true", help="skip the CPU check")
    how.add_argument("--retries", type=int, default=1, help="re-runs of a noisy scenario (1)")
    how.add_argument(
        "--quiet-wait",
        type=float,
        default=90.0,
        help="max seconds to wait for other processes to go quiet before each run (90)",
    )
    where = p.add_argument_group("where")
    where.add_argument(
        "--pg-admin-url",
        default=DEFAULT_PG_ADMIN_URL,
        help=f"a PostgreSQL URL allowed to create databases ({DEFAULT_PG_ADMIN_URL})",
    )
    where.add_argument(
        "--pg-database",
        default=DEFAULT_PG_DATABASE,
        help=f"scratch database, dropped and recreated ({DEFAULT_PG_DATABASE})",
    )
    where.add_argument("--out", type=Path, default=Path("bench/results"), help="results directory")
    where.add_argument("--keep", action="store_true", help="keep the scratch databases")
    where.add_argument("--seed", default=DEFAULT_SEED, help="seed of the synthetic population")
    return p


def options_from(args: argparse.Namespace, command: str) -> Options | None:
    selected = any(
        getattr(args, name) is not None
        for name in ("databases", "devices", "batches", "concurrency", "pg_workers")
    )
    if not (args.all or args.quick or selected):
        return None
    quick = args.quick and not args.all
    return Options(
        databases=args.databases or list(DATABASES),
        devices=args.devices or ([1_000] if quick else [1_000, 100_000]),
        batches=args.batches or [1, 100],
        concurrency=args.concurrency or [16],
        pg_workers=args.pg_workers or ([1] if quick else [1, 2]),
        duration=args.duration or (3.0 if quick else 20.0),
        warmup=args.warmup or (1.0 if quick else 3.0),
        ceiling=not args.no_ceiling,
        wrk=not args.no_wrk,
        calibrate=not args.no_calibrate,
        retries=args.retries,
        quiet_wait=args.quiet_wait,
        pg_admin_url=args.pg_admin_url,
        pg_database=args.pg_database,
        out=args.out,
        keep=args.keep,
        seed=args.seed,
        command=command,
    )


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    p = parser()
    args = p.parse_args(arguments)
    options = options_from(args, shlex.join(["python", "-m", "bench.intake", *arguments]))
    if options is None:
        p.print_help()
        return 2
    Bench(options, Console()).run()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
