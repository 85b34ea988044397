"""`amina worker`, `amina monitor run`, `amina checkin`, `amina outage add`, `amina calendar`,
`amina audit verify`, `amina audit checkpoint`."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress

from amina.audit import checkpoint
from amina.audit.service import Verification, verify
from amina.calendar.models import OutageStatus
from amina.calendar.service import declare_outage, set_override
from amina.cli.common import (
    JsonOption,
    app_context,
    cli_text,
    emit,
    handles_domain_errors,
    operator,
    parse_date,
    parse_instant,
    stdout,
)
from amina.cli.connectivity import declare_area_outage
from amina.errors import Forbidden
from amina.jobs.worker import Worker
from amina.monitoring.checkin import check_in
from amina.monitoring.reschedule import reschedule_between
from amina.monitoring.schedule import last_sweep_at
from amina.monitoring.sweep import sweep
from amina.notifications.delivery import deliver_due
from amina.people.service import person_by_card
from amina.policies import outage_bounds
from amina.rules.calendar import moscow_day_span

monitor_app = typer.Typer(help="The monitoring sweep.", no_args_is_help=True)
outage_app = typer.Typer(
    help="Service outages (they never count against people).", no_args_is_help=True
)
calendar_app = typer.Typer(
    help="Officers' corrections to the production calendar.", no_args_is_help=True
)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)


def worker(
    once: Annotated[bool, typer.Option("--once", help="Run each job once and exit.")] = False,
    as_json: JsonOption = False,
) -> None:
    """Run the background loop: outages, monitoring sweep, notification delivery, retention."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    with app_context() as context:
        runner = Worker(context)
        if once:
            results = runner.run_once()
            runner.leader.release()
            emit({job: dict(counts) for job, counts in results.items()}, as_json)
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        runner.run_forever(stop)


@monitor_app.command("run")
@handles_domain_errors
def monitor_run(
    now: Annotated[
        str | None, typer.Option("--now", help="Sweep as of this instant (not in production).")
    ] = None,
    deliver: Annotated[bool, typer.Option(help="Also deliver what the sweep queued.")] = True,
    as_json: JsonOption = False,
) -> None:
    """One monitoring sweep; prints counts by action."""
    with app_context() as context:
        if now is not None and context.settings.is_production:
            raise Forbidden("--now is not allowed in production", code="not_in_production")
        instant = parse_instant(now, "--now") if now else context.clock.now()
        counts = Counter({"reminder": 0, "final_warning": 0, "deregistration": 0})
        counts.update(
            sweep(
                context.db,
                now=instant,
                settings=context.settings,
                batch_size=context.settings.sweep_batch_size,
            )
        )
        if deliver:
            delivered = deliver_due(
                context.db,
                now=lambda: instant,
                settings=context.settings,
                sms=context.sms,
                push=Worker(context).push,
            )
            counts.update({f"delivery_{k}": v for k, v in delivered.items()})
    emit(dict(counts), as_json)


@handles_domain_errors
def checkin(
    card: Annotated[str, typer.Option("--card", help="The person's card number.")],
    place: Annotated[str | None, typer.Option(help="Where: MMC, police station …")] = None,
    as_json: JsonOption = False,
) -> None:
    """Record an in-person check-in; it counts as monitoring."""
    with app_context() as context, context.db.unit_of_work() as session:
        now = context.clock.now()
        person = person_by_card(session, card)
        recorded = check_in(
            session,
            now=now,
            settings=context.settings,
            person=person,
            actor=operator(),
            place=cli_text(place, "--place", 200) if place is not None else None,
        )
        data = {
            "checkin_id": str(recorded.id),
            "person_id": str(person.id),
            "at": recorded.at,
            "place": recorded.place,
        }
    emit(data, as_json, lambda: stdout.print(f"Check-in recorded at {data['at']}."))


@outage_app.command("add")
@handles_domain_errors
def outage_add(
    starts: Annotated[str, typer.Option("--from", help="Start (RFC 3339).")],
    ends: Annotated[str, typer.Option("--to", help="End (RFC 3339).")],
    reason: Annotated[str, typer.Option(help="What happened.")],
    area: Annotated[
        Path | None,
        typer.Option(help="A connectivity outage in this GeoJSON area (rules.md §9)."),
    ] = None,
    district: Annotated[
        str | None, typer.Option(help="A connectivity outage in a shipped named area.")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Declare a service outage (everyone's deadlines it touches move), or with --area or
    --district a mobile-internet shutdown (only the deadlines of people in the area move)."""
    starts_at, ends_at = parse_instant(starts, "--from"), parse_instant(ends, "--to")
    reason = cli_text(reason, "--reason", 500, multiline=True)
    if area is not None or district is not None:
        declare_area_outage(starts_at, ends_at, reason, area, district, as_json)
        return
    with app_context() as context:
        now = context.clock.now()
        with context.db.unit_of_work() as session:
            outage = declare_outage(
                session,
                now=now,
                actor=operator(),
                starts_at=starts_at,
                ends_at=ends_at,
                reason=reason,
                bounds=outage_bounds(context.settings),
                last_sweep_at=last_sweep_at(session),
            )
            outage_id, status = outage.id, outage.status
        if status is OutageStatus.PROPOSED:
            emit(
                {"outage_id": str(outage_id), "status": status.value, "rescheduled": 0},
                as_json,
                lambda: stdout.print(
                    "Outage proposed: it is longer than the limit and counts once a supervisor "
                    f"approves it (POST /api/v1/officer/outages/{outage_id}/approve)."
                ),
            )
            return
        with Progress(disable=as_json, console=stdout) as progress:
            task = progress.add_task("Moving deadlines", total=None)
            moved = reschedule_between(
                context.db,
                now=now,
                settings=context.settings,
                starts_at=starts_at,
                ends_at=ends_at,
                progress=lambda n: progress.advance(task, n),
            )
    emit(
        {"outage_id": str(outage_id), "status": status.value, "rescheduled": moved},
        as_json,
        lambda: stdout.print(f"Outage recorded; {moved} deadlines moved."),
    )


@calendar_app.command("override")
@handles_domain_errors
def calendar_override(
    day: Annotated[str, typer.Option("--date", help="YYYY-MM-DD.")],
    working: Annotated[bool, typer.Option("--working/--day-off", help="What the day is.")],
    reason: Annotated[str, typer.Option(help="The decree or reason.")],
    as_json: JsonOption = False,
) -> None:
    """Make a date a working day or a day off (for years the calendar data does not know)."""
    parsed: date = parse_date(day, "--date")
    reason = cli_text(reason, "--reason", 500, multiline=True)
    with app_context() as context:
        now = context.clock.now()
        with context.db.unit_of_work() as session:
            set_override(
                session,
                now=now,
                actor=operator(),
                day=parsed,
                is_working=working,
                reason=reason,
            )
        starts_at, ends_at = moscow_day_span(parsed)
        moved = reschedule_between(
            context.db, now=now, settings=context.settings, starts_at=starts_at, ends_at=ends_at
        )
    emit({"date": parsed, "is_working": working, "rescheduled": moved}, as_json)


@audit_app.command("verify")
def audit_verify(as_json: JsonOption = False) -> None:
    """Check the audit chain and its signed checkpoints; exits non-zero and names the first bad
    event if it was tampered with."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        settings = context.settings
        checkpoints: list[checkpoint.Checkpoint] = []
        problem: str | None = None
        key_path = settings.effective_audit_signing_key_path
        try:
            if key_path.exists():
                public = checkpoint.signing_key(key_path).public_key()
                checkpoints = checkpoint.read_checkpoints(
                    settings.effective_audit_checkpoint_dir, public
                )
            elif checkpoint.last_checkpoint_at(settings.effective_audit_checkpoint_dir):
                problem = f"checkpoints exist but their key {key_path} is missing"
        except checkpoint.BadCheckpoint as error:
            problem = str(error)
        result = checkpoint.verify_against(session, verify(session), checkpoints)
    if problem is not None and result.ok:
        result = Verification(False, result.events, None, problem)
    data = {
        "ok": result.ok,
        "events": result.events,
        "first_bad_seq": result.first_bad_seq,
        "problem": result.problem,
        "checkpoints": len(checkpoints),
        "anchored_to_seq": max((c.seq for c in checkpoints), default=0),
    }
    emit(
        data,
        as_json,
        lambda: stdout.print(
            f"audit chain intact: {result.events} events, {len(checkpoints)} signed checkpoints"
            if result.ok
            else f"[red]audit chain broken at event {result.first_bad_seq}: {result.problem}[/red]"
        ),
    )
    if not result.ok:
        sys.exit(1)


@audit_app.command("checkpoint")
def audit_checkpoint(as_json: JsonOption = False) -> None:
    """Sign the chain's head with the Ed25519 key kept outside the database and append it to
    the checkpoint file (the worker does this daily)."""
    with app_context() as context, context.db.unit_of_work(readonly=True) as session:
        settings = context.settings
        key = checkpoint.signing_key(settings.effective_audit_signing_key_path)
        written = checkpoint.write_checkpoint(
            session,
            now=context.clock.now(),
            directory=settings.effective_audit_checkpoint_dir,
            key=key,
        )
    data = {
        "seq": written.seq,
        "hash": written.hash,
        "at": written.at,
        "public_key": checkpoint.public_key_text(key.public_key()),
    }
    emit(data, as_json, lambda: stdout.print(f"checkpoint signed at event {written.seq}"))
