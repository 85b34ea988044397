"""The timeline and the map read a person's reports cheaply (issue 11's person page target):
the last 24 hours and unfolded days one by one, earlier days folded in SQL into one row each,
by Moscow day; the map's points oldest first with Moscow labels."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.auth.models import Device, Platform
from amina.clock import FixedClock
from amina.console import reads
from amina.console import timeline as views
from amina.console.reads import Grant, ReasonCategory
from amina.context import AppContext
from amina.db import Database
from amina.monitoring.models import LocationReport, ReportSource
from amina.officers.models import Role
from amina.officers.service import add_officer
from amina.rules.calendar import MOSCOW
from amina.rules.territory import Placement
from amina.web.app import create_app
from tests.conftest import Recorded
from tests.console.conftest import Console
from tests.console.test_reads import api_officer

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=MOSCOW)


def report(device: Device, at: datetime, **flags: object) -> LocationReport:
    fields: dict[str, object] = {
        "lat": 55.75,
        "lon": 37.6,
        "accuracy_m": 30.0,
        "placement": Placement.INSIDE,
        "mock": False,
        "heartbeat": False,
        "impossible_speed": False,
        **flags,
    }
    return LocationReport(
        device_id=device.id,
        client_id=uuid.uuid4(),
        person_id=device.person_id,
        recorded_at=at,
        received_at=at,
        source=ReportSource.FUSED,
        counted=True,
        **fields,
    )


def seed_reports(db: Database, person_id: uuid.UUID) -> None:
    """Two reports in the last 24 h; on 18 Nov (Moscow) three reports, one outside with a
    rough fix, one mocked, and a heartbeat; on 17 Nov one report at 23:50 Moscow (20:50 UTC)
    and on 18 Nov one at 00:10; one report 31 days ago, outside the window."""
    with db.unit_of_work() as session:
        device = Device(person_id=person_id, platform=Platform.ANDROID, created_at=NOW)
        session.add(device)
        session.flush()
        day = datetime(2026, 11, 18, tzinfo=MOSCOW)
        session.add_all(
            [
                report(device, NOW - timedelta(hours=1)),
                report(device, NOW - timedelta(hours=23)),
                report(device, day + timedelta(hours=9)),
                report(
                    device,
                    day + timedelta(hours=10),
                    accuracy_m=400.0,
                    placement=Placement.OUTSIDE,
                ),
                report(device, day + timedelta(hours=11), mock=True, impossible_speed=True),
                report(device, day + timedelta(hours=12), heartbeat=True, lat=None, lon=None),
                report(device, day - timedelta(minutes=10)),
                report(device, day + timedelta(minutes=10)),
                report(device, NOW - timedelta(days=31)),
            ]
        )


def grant_for(session: Session, person_id: uuid.UUID) -> Grant:
    officer = add_officer(
        session,
        now=NOW,
        actor=Actor("cli", "t"),
        username=f"o{uuid.uuid4().hex[:8]}",
        display_name="Officer",
        role=Role.SUPERVISOR,
        password="correct horse battery staple",
    )
    return reads.audited(
        session,
        now=NOW,
        officer=officer,
        person_id=person_id,
        view="timeline",
        category=ReasonCategory.OTHER,
        reason="a test look",
        opening=True,
    )


def reports_of(entries: list[views.Entry], kind: str = "report") -> list[views.Entry]:
    return [e for e in entries if e.type == kind]


def test_the_last_day_is_listed_one_by_one_and_earlier_days_fold_by_moscow_day(
    db: Database, add_person: Callable[..., Recorded]
) -> None:
    person = add_person()
    seed_reports(db, person.person_id)
    with db.unit_of_work() as session:
        entries = reports_of(views.timeline(session, grant_for(session, person.person_id), now=NOW))
    raw = [e for e in entries if not e.folded]
    assert [e.at for e in raw] == [NOW - timedelta(hours=1), NOW - timedelta(hours=23)]
    folded = {e.day: e for e in entries if e.folded}
    assert set(folded) == {date(2026, 11, 17), date(2026, 11, 18)}
    assert folded[date(2026, 11, 17)].folded == 1  # 23:50 Moscow is still the 17th
    busy = folded[date(2026, 11, 18)]
    assert busy.folded == 4  # 00:10, 09:00, 10:00, 11:00; the heartbeat is not a report
    assert busy.since == datetime(2026, 11, 18, 0, 10, tzinfo=MOSCOW)
    assert busy.at == datetime(2026, 11, 18, 11, 0, tzinfo=MOSCOW)
    assert busy.detail == "inside 3/4 ±30–400 m mock×1 speed×1"
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)


def test_an_unfolded_day_and_heartbeats_when_asked_for(
    db: Database, add_person: Callable[..., Recorded]
) -> None:
    person = add_person()
    seed_reports(db, person.person_id)
    with db.unit_of_work() as session:
        grant = grant_for(session, person.person_id)
        entries = views.timeline(
            session, grant, now=NOW, types={"report", "heartbeat"}, unfolded=[date(2026, 11, 18)]
        )
        everything = views.timeline(session, grant, now=NOW, fold=False)
    unfolded = [e for e in reports_of(entries) if not e.folded]
    assert len(unfolded) == 2 + 4
    assert "mock speed" in next(
        e.detail for e in unfolded if e.at == datetime(2026, 11, 18, 11, tzinfo=MOSCOW)
    )
    assert [e.day for e in reports_of(entries) if e.folded] == [date(2026, 11, 17)]
    beats = reports_of(entries, "heartbeat")
    assert [(e.at, e.folded) for e in beats] == [(datetime(2026, 11, 18, 12, tzinfo=MOSCOW), 0)]
    # The officer API's timeline lists every report of the 30 days (and no heartbeat).
    assert [e.folded for e in reports_of(everything)] == [0] * 7
    assert not reports_of(everything, "heartbeat")


def test_the_map_has_every_located_report_of_30_days_oldest_first(
    db: Database, add_person: Callable[..., Recorded]
) -> None:
    person = add_person()
    seed_reports(db, person.person_id)
    with db.unit_of_work() as session:
        points = views.points(session, grant_for(session, person.person_id), now=NOW)
    assert len(points) == 7  # not the heartbeat, not the one 31 days ago
    assert [p["t"] for p in points] == sorted(p["t"] for p in points)
    first = points[0]
    assert first["at"] == "17.11 23:50"
    assert first["t"] == int(datetime(2026, 11, 17, 23, 50, tzinfo=MOSCOW).timestamp())
    flagged = next(p for p in points if p["mock"])
    assert flagged["speed"] is True and flagged["placement"] == "inside"
    assert {p["acc"] for p in points} == {30.0, 400.0}


def test_the_console_timeline_unfolds_a_day_and_refuses_a_bad_one(
    console_as: Callable[..., Console],
    add_person: Callable[..., Recorded],
    db: Database,
    clock: FixedClock,
) -> None:
    person = add_person()
    clock.set(NOW - timedelta(minutes=5))
    seed_reports(db, person.person_id)
    c = console_as(Role.SUPERVISOR)
    opened = c.post(
        f"/console/people/{person.person_id}/open",
        {"category": "deadline_check", "reason": "why the deadline moved"},
    )
    token = opened.headers["location"].split("?o=")[1]
    path = f"/console/people/{person.person_id}/timeline"
    page = c.client.get(path, params={"o": token})
    assert page.status_code == 200, page.text[:500]
    assert page.text.count('class="t-report folded"') == 2
    assert f"o={token}&amp;day=2026-11-18" in page.text
    shown = c.client.get(path, params={"o": token, "day": "2026-11-18"})
    assert shown.status_code == 200
    assert shown.text.count('class="t-report folded"') == 1
    assert shown.text.count('class="t-report"') == 2 + 4
    assert 'name="day" value="2026-11-18"' in shown.text  # the type filter keeps it unfolded
    for bad in ("18.11.2026", "2026-13-01"):
        refused = c.client.get(path, params={"o": token, "day": bad})
        assert refused.status_code == 422, (bad, refused.status_code)
    too_many = [
        ("o", token),
        *(("day", f"2026-10-{d:02d}") for d in range(1, 32)),
        ("day", "2026-11-01"),
    ]
    assert c.client.get(path, params=too_many).status_code == 422


def test_the_officer_api_lists_every_report_and_the_map_keeps_its_shape(
    context: AppContext,
    clock: FixedClock,
    db: Database,
    add_person: Callable[..., Recorded],
) -> None:
    person = add_person()
    clock.set(NOW - timedelta(minutes=5))
    seed_reports(db, person.person_id)
    with TestClient(create_app(context.settings, context=context)) as client:
        headers = api_officer(context, clock, client)
        opened = client.post(
            f"/api/v1/officer/people/{person.person_id}/access",
            json={"category": "case_review", "reason": "reviewing the case"},
            headers=headers,
        )
        assert opened.status_code == 201, opened.text
        headers["Amina-Opening"] = opened.json()["opening"]
        base = f"/api/v1/officer/people/{person.person_id}"
        entries = client.get(f"{base}/timeline", params={"types": "report"}, headers=headers)
        points = client.get(f"{base}/map", headers=headers)
    assert entries.status_code == 200, entries.text
    reported = [e for e in entries.json() if e["type"] == "report"]
    assert len(reported) == 7 and {e["folded"] for e in reported} == {0}
    assert set(reported[0]) == {"at", "type", "title", "detail", "folded", "since", "day"}
    assert points.status_code == 200
    assert len(points.json()) == 7
    assert set(points.json()[0]) == {"t", "at", "lat", "lon", "acc", "mock", "speed", "placement"}
