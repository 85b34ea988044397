"""The patent's timers (rules.md §7), run by the worker: lapses and reminders.

- A lapse is noted once (a conditional UPDATE … WHERE status = 'valid'), and opens one
  `patent_lapsed` review. It does nothing more: no registry, no deregistration.
- Reminders go 7, 3 and 1 days before the lapse date (a setting) and on the day, through the
  outbox; (person, kind, window) is unique, so each goes once, however often the worker runs.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import update

from amina.audit.service import Actor, record
from amina.cases.patent_review import open_lapse_review
from amina.config import Settings
from amina.db import Database
from amina.notifications.service import Message, notify_many
from amina.patents import repo
from amina.patents.models import Patent
from amina.patents.service import reminder_schedule
from amina.rules import patents as rules
from amina.rules.patents import PatentStatus

SYSTEM = Actor.system("patents")
BATCH = 500
MAX_BATCHES = 40


def note_lapses(db: Database, *, now: datetime, limit: int = BATCH) -> int:
    """One batch of due lapses; returns how many were noted."""
    noted = 0
    with db.unit_of_work() as session:
        for patent_id in repo.due_to_lapse(session, now, limit):
            row = session.execute(
                update(Patent)
                .where(
                    Patent.id == patent_id,
                    Patent.status == PatentStatus.VALID,
                    Patent.lapses_at <= now,
                )
                .values(status=PatentStatus.LAPSED, updated_at=now)
                .returning(Patent.person_id, Patent.lapses_at, Patent.valid_through)
            ).first()
            if row is None:
                continue
            person_id, lapsed_at, valid_through = row
            noted += 1
            record(
                session,
                now=now,
                actor=SYSTEM,
                action="patent.lapsed",
                subject_type="patent",
                subject_id=patent_id,
                person_id=person_id,
            )
            open_lapse_review(
                session,
                now=now,
                person_id=person_id,
                patent_id=patent_id,
                lapsed_at=lapsed_at,
                evidence={"valid_through": valid_through.isoformat()},
            )
    return noted


def send_reminders(
    db: Database, *, now: datetime, settings: Settings, limit: int = BATCH
) -> tuple[int, int]:
    """Send what is due and move each patent's `next_reminder_at` past `now`: a patent is read
    only when one of its reminders falls due, not on every run. Returns (patents looked at,
    notifications queued)."""
    messages: list[Message] = []
    with db.unit_of_work() as session:
        due_now = repo.due_reminders(session, now, limit)
        for patent in due_now:
            schedule = reminder_schedule(settings, patent)
            upcoming = [r.at for r in schedule if r.at > now]
            patent.next_reminder_at = upcoming[0] if upcoming else None
            due = rules.due_reminder(schedule, now)
            lapse_on = rules.lapse_date(patent.issued_on, patent.months_paid)
            stale = due is not None and (
                (due.days_before > 0 and now >= patent.lapses_at)
                or (due.days_before == 0 and rules.moscow_date(now) != lapse_on)
            )
            if due is None or stale:
                continue
            kind = "patent_reminder" if due.days_before else "patent_lapsed"
            messages.append(
                Message(
                    patent.person_id,
                    kind,
                    f"{patent.id}:{lapse_on.isoformat()}:{due.days_before}",
                    {
                        "days": due.days_before,
                        "valid_through_on": patent.valid_through.isoformat(),
                        "series": patent.series,
                        "number": patent.number,
                    },
                )
            )
        return len(due_now), len(notify_many(session, now=now, messages=messages))


def run(
    db: Database, *, now: datetime, settings: Settings, max_batches: int = MAX_BATCHES
) -> Counter[str]:
    """Batches, each in its own unit of work, until nothing is due (or `max_batches`: the rest
    waits for the next run, so one run never holds the worker for long)."""
    counts: Counter[str] = Counter()
    for _ in range(max_batches):
        noted = note_lapses(db, now=now)
        counts["lapsed"] += noted
        if noted < BATCH:
            break
    for _ in range(max_batches):
        seen, sent = send_reminders(db, now=now, settings=settings)
        counts["reminders"] += sent
        if seen < BATCH:
            break
    return counts
