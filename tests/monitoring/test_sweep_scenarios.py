"""The monitoring engine against the calendar (issue 4): every step at exactly its instant,
never a second earlier; a report one second before the deregistration prevents it; outages
declared or detected move everyone's deadlines."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from amina.audit.service import Actor
from amina.calendar.availability import beat, detect_outages
from amina.calendar.models import OutageSource
from amina.calendar.service import add_outage
from amina.cases.models import Case
from amina.clock import FixedClock
from amina.context import AppContext
from amina.monitoring.models import StepTaken
from amina.monitoring.reschedule import reschedule_between
from amina.monitoring.sweep import sweep
from amina.notifications.models import Channel, Delivery, Notification
from amina.registration.models import Registration
from amina.rules.calendar import MOSCOW
from tests.conftest import Recorded
from tests.support.migrant import Migrant

SECOND = timedelta(seconds=1)


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


class Scenario:
    """One registered person whose last monitoring instant is L, and a clock to move."""

    def __init__(
        self, context: AppContext, clock: FixedClock, migrant: Migrant, person: Recorded
    ) -> None:
        self.context, self.clock, self.migrant, self.person = context, clock, migrant, person

    def sweep_at(self, when: datetime) -> Counter[str]:
        self.clock.set(when)
        return sweep(self.context.db, now=when, settings=self.context.settings)

    def steps(self) -> list[str]:
        with self.context.db.unit_of_work(readonly=True) as session:
            taken = session.scalars(
                select(StepTaken)
                .where(StepTaken.person_id == self.person.person_id)
                .order_by(StepTaken.taken_at)
            ).all()
            return [f"{s.step.value}@{s.taken_at.astimezone(MOSCOW).isoformat()}" for s in taken]

    def registration(self) -> Registration:
        with self.context.db.unit_of_work(readonly=True) as session:
            return session.scalars(
                select(Registration).where(Registration.person_id == self.person.person_id)
            ).one()

    def kinds(self) -> list[str]:
        with self.context.db.unit_of_work(readonly=True) as session:
            return list(
                session.scalars(
                    select(Notification.kind)
                    .where(Notification.person_id == self.person.person_id)
                    .order_by(Notification.created_at)
                )
            )


@pytest.fixture
def scenario(
    context: AppContext,
    clock: FixedClock,
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
) -> Callable[..., Scenario]:
    def start(last_monitoring: datetime, **person: object) -> Scenario:
        clock.set(last_monitoring)
        recorded = add_person(entry_date=date(2025, 6, 1), **person)
        migrant = migrant_for(recorded)
        migrant.sign_in(recorded.card_number, recorded.birth_date)
        response = migrant.register(migrant.location(recorded_at=last_monitoring))
        assert response.status_code == 201, response.text
        return Scenario(context, clock, migrant, recorded)

    return start


def walk(s: Scenario, reminder: str, final: str, deregistration: str) -> None:
    """Sweep one second before and exactly at each instant."""
    for instant, step in (
        (reminder, "reminder"),
        (final, "final_warning"),
        (deregistration, "deregistration"),
    ):
        assert s.sweep_at(msk(instant) - SECOND)[step] == 0, f"{step} came early"
        assert s.sweep_at(msk(instant))[step] == 1, f"{step} did not come at {instant}"
    assert s.steps() == [
        f"reminder@{reminder}+03:00",
        f"final_warning@{final}+03:00",
        f"deregistration@{deregistration}+03:00",
    ]


def test_across_the_new_year_holidays(scenario: Callable[..., Scenario]) -> None:
    s = scenario(msk("2025-12-30T18:00:00"))
    walk(s, "2026-01-13T09:00:00", "2026-01-14T09:00:00", "2026-01-15T00:00:00")
    registration = s.registration()
    assert registration.status == "deregistered" and registration.ground == "no_geolocation"
    assert registration.missed_since == msk("2025-12-30T18:00:00")
    with s.context.db.unit_of_work(readonly=True) as session:
        case = session.scalars(select(Case).where(Case.person_id == s.person.person_id)).one()
        assert case.kind == "violation" and case.status == "open"
        sms = session.scalars(
            select(Delivery.channel)
            .join(Notification)
            .where(Notification.person_id == s.person.person_id, Delivery.channel == Channel.SMS)
        ).all()
    assert s.kinds() == ["registered", "reminder", "final_warning", "deregistered_no_geolocation"]
    assert len(sms) == 3  # reminder, final warning, deregistration


def test_across_the_working_saturday_of_1_november_2025(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(msk("2025-10-30T12:00:00"))
    walk(s, "2025-11-01T09:00:00", "2025-11-05T09:00:00", "2025-11-06T00:00:00")


@pytest.mark.parametrize(
    ("last", "steps"),
    [
        # Fri 1 May is a holiday: W1..W4 = 4, 5, 6, 7 May.
        (
            "2026-04-30T20:00:00",
            ("2026-05-05T09:00:00", "2026-05-06T09:00:00", "2026-05-07T00:00:00"),
        ),
        # Victory Day on Saturday 9 May is observed on Monday 11 May.
        (
            "2026-05-08T10:00:00",
            ("2026-05-13T09:00:00", "2026-05-14T09:00:00", "2026-05-15T00:00:00"),
        ),
    ],
)
def test_across_may_2026(
    scenario: Callable[..., Scenario], last: str, steps: tuple[str, str, str]
) -> None:
    walk(scenario(msk(last)), *steps)


def test_a_report_one_second_before_deregistration_prevents_it(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(msk("2026-11-16T12:00:00"))
    s.sweep_at(msk("2026-11-18T09:00:00"))
    s.sweep_at(msk("2026-11-19T09:00:00"))
    last_chance = msk("2026-11-20T00:00:00") - SECOND
    s.clock.set(last_chance)
    s.migrant.refresh()
    assert s.migrant.report(s.migrant.location(recorded_at=last_chance)).status_code == 200
    counts = s.sweep_at(msk("2026-11-20T00:00:00"))
    assert counts["deregistration"] == 0
    assert s.registration().status == "active"
    # The count restarted from Thu 19 Nov: the next deregistration is Wed 25 Nov 00:00.
    assert s.migrant.me()["monitoring"]["deregistration_at"] == "2026-11-25T00:00:00+03:00"


def test_a_declared_outage_moves_the_deadlines(scenario: Callable[..., Scenario]) -> None:
    s = scenario(msk("2026-11-16T12:00:00"))
    now = msk("2026-11-18T15:00:00")
    s.clock.set(now)
    with s.context.db.unit_of_work() as session:  # Wed 18 Nov: 6 h down, only 18 h available
        add_outage(
            session,
            now=now,
            actor=Actor("cli", "t"),
            starts_at=msk("2026-11-18T08:00:00"),
            ends_at=msk("2026-11-18T14:00:00"),
            reason="database failover",
            source=OutageSource.DECLARED,
        )
    reschedule_between(
        s.context.db,
        now=now,
        settings=s.context.settings,
        starts_at=msk("2026-11-18T08:00:00"),
        ends_at=msk("2026-11-18T14:00:00"),
    )
    s.migrant.refresh()
    assert s.migrant.me()["monitoring"]["deregistration_at"] == "2026-11-23T00:00:00+03:00"
    # The reminder was due at 09:00 on the now-lost Wednesday: it moves to Thursday.
    assert s.sweep_at(msk("2026-11-18T09:00:00"))["reminder"] == 0
    walk(s, "2026-11-19T09:00:00", "2026-11-20T09:00:00", "2026-11-23T00:00:00")


def test_the_sweep_rechecks_even_if_the_schedule_was_not_moved(
    scenario: Callable[..., Scenario],
) -> None:
    """A stale stored schedule can only make a step late, never early."""
    s = scenario(msk("2026-11-16T12:00:00"))
    s.sweep_at(msk("2026-11-18T09:00:00"))
    s.sweep_at(msk("2026-11-19T09:00:00"))
    with s.context.db.unit_of_work() as session:  # Thu 19 Nov lost; nobody rescheduled
        add_outage(
            session,
            now=msk("2026-11-19T23:00:00"),
            actor=Actor("cli", "t"),
            starts_at=msk("2026-11-19T10:00:00"),
            ends_at=msk("2026-11-19T20:00:00"),
            reason="intake down",
            source=OutageSource.DECLARED,
        )
    counts = s.sweep_at(msk("2026-11-20T00:00:00"))
    assert counts["deregistration"] == 0 and counts["rescheduled"] == 1
    assert s.sweep_at(msk("2026-11-23T00:00:00"))["deregistration"] == 1


def test_a_detected_outage_moves_the_deadlines(scenario: Callable[..., Scenario]) -> None:
    s = scenario(msk("2026-11-16T12:00:00"))
    minute = msk("2026-11-17T00:00:00")
    with s.context.db.unit_of_work() as session:
        while minute < msk("2026-11-19T00:00:00"):
            # The intake beats every minute, except on Wed 18 Nov from 01:00 to 07:00.
            if not msk("2026-11-18T01:00:00") <= minute < msk("2026-11-18T07:00:00"):
                beat(session, now=minute)
            minute += timedelta(minutes=1)
    now = msk("2026-11-18T23:59:00")
    with s.context.db.unit_of_work() as session:
        detected = detect_outages(session, now=now, min_gap=timedelta(minutes=5))
        assert [(o.starts_at, o.ends_at) for o in detected] == [
            (msk("2026-11-18T01:00:00"), msk("2026-11-18T07:00:00"))
        ]
    with s.context.db.unit_of_work() as session:  # detection twice records nothing twice
        assert detect_outages(session, now=now, min_gap=timedelta(minutes=5)) == []
    walk(s, "2026-11-19T09:00:00", "2026-11-20T09:00:00", "2026-11-23T00:00:00")


def test_an_outage_after_the_final_warning_tells_the_person(
    scenario: Callable[..., Scenario],
) -> None:
    s = scenario(msk("2026-11-16T12:00:00"))
    s.sweep_at(msk("2026-11-18T09:00:00"))
    s.sweep_at(msk("2026-11-19T09:00:00"))
    now = msk("2026-11-19T22:00:00")
    with s.context.db.unit_of_work() as session:
        add_outage(
            session,
            now=now,
            actor=Actor("cli", "t"),
            starts_at=msk("2026-11-19T10:00:00"),
            ends_at=msk("2026-11-19T21:00:00"),
            reason="intake down",
            source=OutageSource.DECLARED,
        )
    assert (
        reschedule_between(
            s.context.db,
            now=now,
            settings=s.context.settings,
            starts_at=msk("2026-11-19T10:00:00"),
            ends_at=msk("2026-11-19T21:00:00"),
        )
        == 1
    )
    assert s.kinds()[-1] == "deadline_extended"


def test_catching_up_takes_only_the_latest_step(scenario: Callable[..., Scenario]) -> None:
    s = scenario(msk("2026-11-16T12:00:00"))
    counts = s.sweep_at(msk("2026-11-19T10:00:00"))  # the worker was down over the reminder
    assert counts["final_warning"] == 1 and counts["reminder"] == 0
    assert s.kinds() == ["registered", "final_warning"]


def test_two_sweeps_take_each_step_once(scenario: Callable[..., Scenario]) -> None:
    s = scenario(msk("2026-11-16T12:00:00"))
    assert s.sweep_at(msk("2026-11-18T09:00:00"))["reminder"] == 1
    assert s.sweep_at(msk("2026-11-18T09:00:00"))["reminder"] == 0
    assert s.sweep_at(msk("2026-11-18T09:30:00")) == Counter()
    assert len(s.steps()) == 1


@pytest.mark.settings(long_stay_required_from=date(2027, 6, 1))
def test_test_mode_has_no_legal_effect(scenario: Callable[..., Scenario]) -> None:
    s = scenario(msk("2026-11-16T12:00:00"), purpose="study", stay_days=300)
    walk_counts = [
        s.sweep_at(msk(t))
        for t in ("2026-11-18T09:00:00", "2026-11-19T09:00:00", "2026-11-20T00:00:00")
    ]
    assert walk_counts[2]["test_mode_deregistration"] == 1
    assert s.registration().status == "active"
    assert s.kinds()[-1] == "test_mode_deregistration"
    with s.context.db.unit_of_work(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(Case)) == 0
        taken = session.scalars(select(StepTaken).where(StepTaken.step == "deregistration")).one()
        assert taken.legal_effect is False
    assert s.sweep_at(msk("2026-11-30T00:00:00")) == Counter()  # nothing more until a report
