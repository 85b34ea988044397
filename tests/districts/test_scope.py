"""The police district scope (issue 11), on the database: people are placed by their last
counted fix; a police officer of one district neither finds nor opens anyone of another, in
the console and the officer API; other roles see everyone; no districts loaded: no scope."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from amina.audit.models import AuditEvent
from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.districts import placement, service
from amina.districts.models import PersonDistrict
from amina.jobs.worker import Worker
from amina.officers.models import Officer, Role
from amina.registration.models import Residence
from amina.rules import districts as rules
from amina.web.app import create_app
from tests.conftest import Recorded
from tests.console.conftest import Console, api_headers, enrolled_officer
from tests.districts.fixtures import IN_EAST, IN_WEST, SYNTHETIC_DISTRICTS
from tests.support.migrant import Migrant

LOADED = rules.parse(SYNTHETIC_DISTRICTS)


@dataclass
class Town:
    west: Recorded
    east: Recorded
    east_migrant: Migrant


def load_districts(context: AppContext, clock: FixedClock) -> None:
    with context.db.unit_of_work() as session:
        placement.load(
            session, now=clock.now(), actor=Actor("cli", "t"), districts=LOADED, source="test"
        )


def place(context: AppContext, clock: FixedClock) -> None:
    clock.advance(placement.COMMIT_LAG + timedelta(seconds=1))
    with context.db.unit_of_work() as session:
        placement.place_people(session, now=clock.now(), batch=2)  # small: several batches
    with context.db.unit_of_work() as session:
        placement.place_people(session, now=clock.now(), batch=2)


def districts_of(context: AppContext, person: Recorded) -> tuple[str | None, str | None]:
    with context.db.unit_of_work(readonly=True) as session:
        row = session.get(PersonDistrict, person.person_id)
        return (row.residence_district, row.last_known_district) if row else (None, None)


def set_district(context: AppContext, console: Console, district: str | None) -> None:
    with context.db.unit_of_work() as session:
        officer = session.get_one(Officer, uuid.UUID(console.officer_id))
        service.set_officer_district(
            session,
            now=console.clock.now(),
            actor=Actor("cli", "t"),
            officer=officer,
            district=district,
        )


@pytest.fixture
def town(add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]) -> Town:
    """Two registered people: one last seen in the west district, one in the east."""
    placed = []
    for lat, lon in (IN_WEST, IN_EAST):
        person = add_person()
        migrant = migrant_for(person)
        migrant.sign_in(person.card_number, person.birth_date)
        response = migrant.register(migrant.location(lat=lat, lon=lon))
        assert response.status_code == 201, response.text
        placed.append((person, migrant))
    return Town(placed[0][0], placed[1][0], placed[1][1])


def test_the_worker_places_people_by_their_last_counted_fix(
    context: AppContext, clock: FixedClock, town: Town
) -> None:
    load_districts(context, clock)
    place(context, clock)  # the backfill: everyone already registered
    assert districts_of(context, town.west) == (None, "west")
    assert districts_of(context, town.east) == (None, "east")
    clock.advance(timedelta(hours=1))
    town.east_migrant.refresh()
    moved = town.east_migrant.report(town.east_migrant.location(lat=IN_WEST[0], lon=IN_WEST[1]))
    assert moved.status_code == 200, moved.text
    place(context, clock)  # new reports, after the cursor
    assert districts_of(context, town.east) == (None, "west")
    older = town.east_migrant.location(lat=IN_EAST[0], lon=IN_EAST[1], ago=timedelta(hours=3))
    assert town.east_migrant.report(older).status_code == 200
    town.east_migrant.refresh()
    place(context, clock)
    assert districts_of(context, town.east) == (None, "west")  # an older fix moves nothing


def test_reloading_the_districts_places_everyone_again(
    context: AppContext, clock: FixedClock, town: Town
) -> None:
    load_districts(context, clock)
    place(context, clock)
    merged = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "all"},
                "geometry": rules.shapely.geometry.mapping(
                    LOADED[0].geometry.union(LOADED[1].geometry)
                ),
            }
        ],
    }
    with context.db.unit_of_work() as session:
        placement.load(
            session,
            now=clock.now(),
            actor=Actor("cli", "t"),
            districts=rules.parse(merged),
            source="test",
        )
    assert districts_of(context, town.west) == (None, None)
    place(context, clock)
    assert districts_of(context, town.west) == (None, "all")
    assert districts_of(context, town.east) == (None, "all")


def search_card(c: Console, person: Recorded) -> str:
    found = c.post(
        "/console/search", {"kind": "card", "value": person.card_number}, "/console/search"
    )
    assert found.status_code == 200, found.text
    return found.text


def open_person(c: Console, person: Recorded) -> int:
    return c.post(
        f"/console/people/{person.person_id}/open",
        {"category": "police_inquiry", "reason": "a check in the district"},
    ).status_code


def out_of_scope_events(context: AppContext, person: Recorded) -> int:
    with context.db.unit_of_work(readonly=True) as session:
        return len(
            session.scalars(
                select(AuditEvent).where(
                    AuditEvent.action == "person.out_of_scope",
                    AuditEvent.subject_id == str(person.person_id),
                )
            ).all()
        )


def test_a_police_officer_finds_and_opens_only_their_district_in_the_console(
    console_as: Callable[..., Console], context: AppContext, clock: FixedClock, town: Town
) -> None:
    police, supervisor = console_as(Role.POLICE_OFFICER), console_as(Role.SUPERVISOR)
    # No districts loaded: the scope is off, the police see everyone.
    assert f"/console/people/{town.east.person_id}/open" in search_card(police, town.east)
    load_districts(context, clock)
    place(context, clock)
    # Districts loaded, none assigned: nobody.
    assert f"/console/people/{town.west.person_id}/open" not in search_card(police, town.west)
    set_district(context, police, "west")
    assert f"/console/people/{town.west.person_id}/open" in search_card(police, town.west)
    assert f"/console/people/{town.east.person_id}/open" not in search_card(police, town.east)
    assert open_person(police, town.west) == 303
    before = out_of_scope_events(context, town.east)
    assert open_person(police, town.east) == 404  # as if nobody: existence is not confirmed
    assert out_of_scope_events(context, town.east) == before + 1
    due = police.client.get("/console/queues/due-soon").text
    assert str(town.west.person_id) in due and str(town.east.person_id) not in due
    # Supervisors are not scoped.
    assert f"/console/people/{town.east.person_id}/open" in search_card(supervisor, town.east)
    assert open_person(supervisor, town.east) == 303
    due = supervisor.client.get("/console/queues/due-soon").text
    assert str(town.west.person_id) in due and str(town.east.person_id) in due


def test_a_police_officer_of_one_district_cannot_reach_another_through_the_api(
    context: AppContext, clock: FixedClock, town: Town
) -> None:
    load_districts(context, clock)
    place(context, clock)
    api = TestClient(create_app(context.settings, context=context))
    police = api_headers(context, clock, api, Role.POLICE_OFFICER, "west")
    mmc = api_headers(context, clock, api, Role.MMC_OFFICER, None)
    for person, visible in ((town.west, True), (town.east, False)):
        body = {"kind": "card", "value": person.card_number}
        hits = api.post("/api/v1/officer/search", json=body, headers=police)
        assert hits.status_code == 200, hits.text
        assert [h["person_id"] for h in hits.json()] == ([str(person.person_id)] if visible else [])
        access = api.post(
            f"/api/v1/officer/people/{person.person_id}/access",
            json={"category": "police_inquiry", "reason": "a check in the district"},
            headers=police,
        )
        assert access.status_code == (201 if visible else 404), access.text
        if not visible:
            assert access.json()["error"]["code"] == "person_not_found"
        patent = api.get(f"/api/v1/officer/persons/{person.person_id}/patent", headers=police)
        # In the district: "no patent"; outside: the same answer as for nobody at all.
        expected = "patent_not_found" if visible else "person_not_found"
        assert (patent.status_code, patent.json()["error"]["code"]) == (404, expected)
    due = api.get("/api/v1/officer/queues/due-soon", headers=police)
    assert [d["person_id"] for d in due.json()] == [str(town.west.person_id)]
    everyone = api.get("/api/v1/officer/queues/due-soon", headers=mmc).json()
    assert {d["person_id"] for d in everyone} == {
        str(town.west.person_id),
        str(town.east.person_id),
    }
    # The registry: the police may propose only people of their district, and see only theirs.
    basis = {"basis": "Repeated violations of the regime, cases on file."}
    for person, status in ((town.west, 201), (town.east, 404)):
        proposed = api.post(
            "/api/v1/officer/registry",
            json={"person_id": str(person.person_id), **basis},
            headers=police,
        )
        assert proposed.status_code == status, proposed.text
    api.post(
        "/api/v1/officer/registry",
        json={"person_id": str(town.east.person_id), **basis},
        headers=mmc,
    )
    seen = api.get("/api/v1/officer/registry", headers=police).json()
    assert [e["person_id"] for e in seen] == [str(town.west.person_id)]
    all_entries = api.get("/api/v1/officer/registry", headers=mmc).json()
    assert {e["person_id"] for e in all_entries} == {
        str(town.west.person_id),
        str(town.east.person_id),
    }


def test_an_admin_sets_and_clears_a_district_that_exists(
    context: AppContext, clock: FixedClock
) -> None:
    load_districts(context, clock)
    api = TestClient(create_app(context.settings, context=context))
    admin = api_headers(context, clock, api, Role.ADMIN, None)
    police = api_headers(context, clock, api, Role.POLICE_OFFICER, None)
    target, _ = enrolled_officer(context, clock, "constable", Role.POLICE_OFFICER)
    path = f"/api/v1/officer/officers/{target.id}/district"
    listed = api.get("/api/v1/officer/districts", headers=police)
    assert [d["code"] for d in listed.json()] == ["east", "west"]
    unknown = api.put(path, json={"district": "north"}, headers=admin)
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (422, "unknown_district")
    assert api.put(path, json={"district": "west"}, headers=police).status_code == 403
    assert (
        api.put(
            f"/api/v1/officer/officers/{uuid.uuid4()}/district",
            json={"district": "west"},
            headers=admin,
        ).status_code
        == 404
    )
    done = api.put(path, json={"district": "west"}, headers=admin)
    assert done.status_code == 200 and done.json()["district"] == "west", done.text
    cleared = api.put(path, json={"district": None}, headers=admin)
    assert cleared.json()["district"] is None
    with context.db.unit_of_work(readonly=True) as session:
        assert session.get_one(Officer, target.id).district is None
        actions = [
            e.data["district"]
            for e in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "officer.district_set")
            )
        ]
    assert actions == ["west", None]


def test_the_worker_job_places_people_and_does_nothing_without_districts(
    context: AppContext, clock: FixedClock, town: Town
) -> None:
    worker = Worker(context, now=clock.now)
    try:
        assert worker.districts() == Counter()  # no districts: nothing to place
        load_districts(context, clock)
        clock.advance(timedelta(minutes=1))
        assert worker.districts()["backfilled"] == 2
        assert districts_of(context, town.east) == (None, "east")
        assert worker.districts()["backfilled"] == 0  # placed once
    finally:
        worker.leader.release()


def test_a_residence_is_placed_by_the_place_given_and_a_new_one_without_clears_it(
    console_as: Callable[..., Console], context: AppContext, clock: FixedClock, town: Town
) -> None:
    load_districts(context, clock)
    place(context, clock)
    town.east_migrant.refresh()
    home = {"accommodation": "hotel", "moved_in_on": clock.now().date().isoformat()}
    west_home = {**home, "place": {"lat": IN_WEST[0], "lon": IN_WEST[1]}}
    bad = town.east_migrant.declare_residence(**{**home, "place": {"lat": "55.7", "lon": 37.6}})
    assert bad.status_code == 422, bad.text
    assert districts_of(context, town.east) == (None, "east")
    declared = town.east_migrant.declare_residence(**west_home)
    assert declared.status_code == 200, declared.text
    assert districts_of(context, town.east) == ("west", "east")
    police = console_as(Role.POLICE_OFFICER)
    set_district(context, police, "west")
    assert open_person(police, town.east) == 303  # lives in the west, last seen in the east
    with context.db.unit_of_work(readonly=True) as session:
        stored = session.execute(
            select(Residence.place).where(Residence.person_id == town.east.person_id)
        ).scalar_one()
        raw = session.execute(
            text("SELECT place_enc FROM residences WHERE person_id = :p"),
            {"p": town.east.person_id.hex if context.db.is_sqlite else town.east.person_id},
        ).scalar_one()
    assert stored == f"{IN_WEST[0]},{IN_WEST[1]}" and str(IN_WEST[0]) not in raw  # sealed
    load_districts(context, clock)  # a reload places the residence again, from its place
    place(context, clock)
    assert districts_of(context, town.east) == ("west", "east")
    assert town.east_migrant.declare_residence(**home).status_code == 200
    assert districts_of(context, town.east) == (None, "east")  # moved, no place given
    assert open_person(police, town.east) == 404
