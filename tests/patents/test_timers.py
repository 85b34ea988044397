"""The worker's patent job: it reads only what is due, and drains it in bounded batches."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from amina.audit.service import Actor
from amina.context import AppContext
from amina.patents import service, timers
from amina.rules.calendar import MOSCOW
from tests.conftest import Recorded

INN = "500100732259"


def test_a_run_drains_everything_due_in_batches(
    context: AppContext, add_person: Callable[..., Recorded], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timers, "BATCH", 2)
    issued_at = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)
    people = [add_person() for _ in range(5)]
    with context.db.unit_of_work() as session:
        for n, person in enumerate(people):
            service.issue(
                session,
                now=issued_at,
                settings=context.settings,
                actor=Actor("cli", "t"),
                person_id=person.person_id,
                series="77",
                number=f"26000000{n}",
                issued_on=date(2026, 11, 20),
                months=1,
                inn=INN,
            )
    seven_days_before = datetime(2026, 12, 13, 10, 1, tzinfo=MOSCOW)
    first = timers.run(context.db, now=seven_days_before, settings=context.settings)
    assert first == {"lapsed": 0, "reminders": 5}
    again = timers.run(context.db, now=seven_days_before, settings=context.settings)
    assert again == {"lapsed": 0, "reminders": 0}
    lapse = datetime(2026, 12, 20, 0, 1, tzinfo=MOSCOW)
    assert timers.run(context.db, now=lapse, settings=context.settings)["lapsed"] == 5
    capped = timers.run(context.db, now=lapse, settings=context.settings, max_batches=1)
    assert capped == {"lapsed": 0, "reminders": 0}
