"""The bookings job: no-shows and reminders (rules.md §8). Each step is a conditional UPDATE
that claims its rows, so two workers running it at once still act once per booking."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from amina.bookings.followup import mark_no_shows, send_reminders
from amina.context import AppContext


def run_bookings(context: AppContext, now: datetime) -> Counter[str]:
    counts: Counter[str] = Counter()
    with context.db.unit_of_work() as session:
        counts["no_show"] = mark_no_shows(session, now=now, settings=context.settings)
    with context.db.unit_of_work() as session:
        counts.update(send_reminders(session, now=now, settings=context.settings))
    return counts
