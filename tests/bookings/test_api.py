"""Appointments over the API (rules.md §8): services, slots, booking limits, capacity, cancel,
move, arrival by ticket (a check-in for monitoring), closures, no-shows and reminders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.clock import FixedClock
from amina.config import LANGUAGES
from amina.context import AppContext
from amina.jobs.bookings import run_bookings
from amina.notifications.models import Notification
from amina.officers.models import Role
from amina.rules.calendar import MOSCOW
from tests.conftest import Recorded
from tests.support.migrant import Migrant

NewMigrant = Callable[[], tuple[Recorded, Migrant]]
# The clock stands at Friday 20 November 2026, 10:00 Moscow time; Monday is bookable.
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=MOSCOW)
MONDAY_930 = MONDAY_9 + timedelta(minutes=30)


def book(phone: Migrant, service: str = "card_issue", start: datetime = MONDAY_9) -> Any:
    return phone.http.post(
        "/api/v1/me/bookings",
        json={"service": service, "slot_start": start.isoformat()},
        headers=phone.auth,
    )


def slot(phone: Migrant, service: str, start: datetime) -> dict[str, Any]:
    days = phone.get(
        "/api/v1/bookings/slots", params={"service": service, "from": start.date().isoformat()}
    ).json()["days"]
    for day in days:
        for found in day["slots"]:
            if datetime.fromisoformat(found["start"]) == start:
                return dict(found)
    raise AssertionError(f"no slot {start}")


def kinds(context: AppContext, person: Recorded) -> list[str]:
    with context.db.unit_of_work(readonly=True) as session:
        return list(
            session.scalars(
                select(Notification.kind)
                .where(Notification.person_id == person.person_id)
                .order_by(Notification.created_at)
            )
        )


def test_services_come_with_their_documents_in_every_language(migrant: NewMigrant) -> None:
    _, phone = migrant()
    seen = set()
    for language in LANGUAGES:
        body = phone.get("/api/v1/bookings/services", params={"lang": language}).json()
        assert body["language"] == language
        codes = {s["code"] for s in body["items"]}
        assert {"card_issue", "patent_issue", "medical_exam", "document_pickup"} <= codes
        assert all(s["documents"] and s["capacity"] >= 1 for s in body["items"])
        seen.add(body["items"][0]["name"])
    assert len(seen) == len(LANGUAGES)  # really translated, not copied


def test_slots_skip_the_past_and_days_off_and_stop_after_14_days(migrant: NewMigrant) -> None:
    _, phone = migrant()
    response = phone.get("/api/v1/bookings/slots", params={"service": "card_issue"})
    assert response.status_code == 200, response.text
    days = {d["date"]: d["slots"] for d in response.json()["days"]}
    assert min(days) == "2026-11-20" and max(days) == "2026-12-04"
    today = [datetime.fromisoformat(s["start"]) for s in days["2026-11-20"]]
    assert today[0] == datetime(2026, 11, 20, 10, 30, tzinfo=MOSCOW)
    assert days["2026-11-21"] == days["2026-11-22"] == []  # the weekend
    first = days["2026-11-23"][0]
    assert first["free"] == first["capacity"] == 3
    assert first["start"] == "2026-11-23T08:00:00+03:00"  # the MMC opens at 08:00
    assert first["end"] == "2026-11-23T08:30:00+03:00"
    unknown = phone.get("/api/v1/bookings/slots", params={"service": "nope"})
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_service"


def test_book_list_and_the_limits(migrant: NewMigrant) -> None:
    _, phone = migrant()
    created = book(phone)
    assert created.status_code == 201, created.text
    booking = created.json()
    assert booking["status"] == "booked" and booking["service"] == "card_issue"
    assert booking["slot_start"] == "2026-11-23T09:00:00+03:00"
    assert booking["qr_svg"].startswith("<svg") and booking["ticket"].startswith("AMINA-BOOKING:")
    listed = phone.get("/api/v1/me/bookings").json()["items"]
    assert [b["id"] for b in listed] == [booking["id"]]

    again = book(phone, start=MONDAY_930)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_booked"
    assert book(phone, "medical_exam").status_code == 201
    assert book(phone, "document_pickup").status_code == 201
    fourth = book(phone, "fingerprints_photo")
    assert fourth.status_code == 409 and fourth.json()["error"]["code"] == "too_many_bookings"


def test_bad_slots_are_refused_with_clear_codes(migrant: NewMigrant) -> None:
    _, phone = migrant()
    cases = {
        "not_a_slot": MONDAY_9 + timedelta(minutes=10),
        "too_far_ahead": MONDAY_9 + timedelta(days=14),
        "slot_in_past": datetime(2026, 11, 20, 9, 0, tzinfo=MOSCOW),
    }
    for code, start in cases.items():
        response = book(phone, start=start)
        assert response.status_code == 422 and response.json()["error"]["code"] == code
    far = phone.http.post(
        "/api/v1/me/bookings",
        json={"service": "card_issue", "slot_start": "9999-12-31T23:59:00-12:00"},
        headers=phone.auth,
    )
    assert far.status_code == 422 and far.json()["error"]["code"] == "too_far_ahead"
    unknown = book(phone, "teleportation")
    assert unknown.status_code == 422 and unknown.json()["error"]["code"] == "unknown_service"
    naive = phone.http.post(
        "/api/v1/me/bookings",
        json={"service": "card_issue", "slot_start": "2026-11-23T09:00:00"},
        headers=phone.auth,
    )
    assert naive.status_code == 422
    assert phone.get("/api/v1/me/bookings").json()["items"] == []


def test_a_full_slot_answers_409_slot_full(migrant: NewMigrant) -> None:
    phones = [migrant()[1] for _ in range(4)]
    assert [book(p).status_code for p in phones[:3]] == [201, 201, 201]
    full = book(phones[3])
    assert full.status_code == 409 and full.json()["error"]["code"] == "slot_full"
    assert slot(phones[3], "card_issue", MONDAY_9)["free"] == 0
    # Capacity is per service: another service's slot at the same time is free.
    assert book(phones[3], "medical_exam").status_code == 201


def test_cancel_until_the_start_and_only_ones_own(migrant: NewMigrant, clock: FixedClock) -> None:
    _, phone = migrant()
    _, other = migrant()
    booking = book(phone).json()
    assert slot(phone, "card_issue", MONDAY_9)["free"] == 2
    foreign = other.http.delete(f"/api/v1/me/bookings/{booking['id']}", headers=other.auth)
    assert foreign.status_code == 404
    cancelled = phone.http.delete(f"/api/v1/me/bookings/{booking['id']}", headers=phone.auth)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["qr_svg"] is None
    assert slot(phone, "card_issue", MONDAY_9)["free"] == 3
    twice = phone.http.delete(f"/api/v1/me/bookings/{booking['id']}", headers=phone.auth)
    assert twice.status_code == 409 and twice.json()["error"]["code"] == "booking_not_cancellable"

    late = book(phone).json()
    clock.set(MONDAY_9)
    phone.refresh()  # the access token is short-lived
    started = phone.http.delete(f"/api/v1/me/bookings/{late['id']}", headers=phone.auth)
    assert started.status_code == 409


def test_move_is_atomic(migrant: NewMigrant) -> None:
    _, phone = migrant()
    booking = book(phone).json()
    moved = phone.http.post(
        f"/api/v1/me/bookings/{booking['id']}/move",
        json={"slot_start": MONDAY_930.isoformat()},
        headers=phone.auth,
    )
    assert moved.status_code == 201, moved.text
    assert moved.json()["slot_start"] == "2026-11-23T09:30:00+03:00"
    items = {b["id"]: b for b in phone.get("/api/v1/me/bookings").json()["items"]}
    assert items[booking["id"]]["status"] == "cancelled"
    assert items[booking["id"]]["replaced_by"] == moved.json()["id"]
    assert slot(phone, "card_issue", MONDAY_9)["free"] == 3
    assert slot(phone, "card_issue", MONDAY_930)["free"] == 2

    # Moving into a full slot fails, and the booking the person had is kept.
    for _ in range(2):
        assert book(migrant()[1], start=MONDAY_9).status_code == 201
    assert book(migrant()[1], start=MONDAY_9).status_code == 201
    refused = phone.http.post(
        f"/api/v1/me/bookings/{moved.json()['id']}/move",
        json={"slot_start": MONDAY_9.isoformat()},
        headers=phone.auth,
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "slot_full"
    kept = {b["id"]: b["status"] for b in phone.get("/api/v1/me/bookings").json()["items"]}
    assert kept[moved.json()["id"]] == "booked"
    assert slot(phone, "card_issue", MONDAY_930)["free"] == 2


def test_an_arrival_is_a_checkin_for_monitoring(
    migrant: NewMigrant, officer: Any, client: TestClient, clock: FixedClock
) -> None:
    person, phone = migrant()
    booking = book(phone).json()
    mmc, police = officer("olga"), officer("ivan", Role.POLICE_OFFICER)
    forbidden = client.post(
        "/api/v1/officer/bookings/arrivals", json={"ticket": booking["ticket"]}, headers=police
    )
    assert forbidden.status_code == 403
    forged = booking["ticket"][:-4] + "0000"
    bad = client.post("/api/v1/officer/bookings/arrivals", json={"ticket": forged}, headers=mmc)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_ticket"
    early = client.post(
        "/api/v1/officer/bookings/arrivals", json={"ticket": booking["ticket"]}, headers=mmc
    )
    assert early.status_code == 409  # not the booking's day yet

    clock.set(MONDAY_9 - timedelta(minutes=10))
    mmc = officer("olga.monday")  # officers' tokens are short-lived too
    arrived = client.post(
        "/api/v1/officer/bookings/arrivals", json={"ticket": booking["ticket"]}, headers=mmc
    )
    assert arrived.status_code == 200, arrived.text
    assert arrived.json()["status"] == "arrived"
    assert arrived.json()["person_id"] == str(person.person_id)
    phone.refresh()
    last = phone.me()["monitoring"]["last_monitoring_at"]
    assert datetime.fromisoformat(last) == clock.now()
    assert "checkin_recorded" in kinds(phone_context(client), person)
    twice = client.post(
        "/api/v1/officer/bookings/arrivals", json={"booking_id": booking["id"]}, headers=mmc
    )
    assert twice.status_code == 409
    neither = client.post("/api/v1/officer/bookings/arrivals", json={}, headers=mmc)
    assert neither.status_code == 422


def phone_context(client: TestClient) -> AppContext:
    context: AppContext = client.app.state.context  # type: ignore[attr-defined]
    return context


def test_a_closure_tells_the_people_booked_and_offers_slots(
    migrant: NewMigrant, officer: Any, client: TestClient, context: AppContext
) -> None:
    person, phone = migrant()
    _, other = migrant()
    booking = book(phone).json()
    untouched = book(other, start=MONDAY_930 + timedelta(minutes=30)).json()
    assert (
        client.post(
            "/api/v1/officer/bookings/closures",
            json={"date": "2026-11-23", "from": "08:00", "to": "09:30", "reason": "x"},
            headers=officer("olga"),
        ).status_code
        == 403
    )
    closed = client.post(
        "/api/v1/officer/bookings/closures",
        json={"date": "2026-11-23", "from": "08:00", "to": "09:30", "reason": "power cut"},
        headers=officer("boris", Role.SUPERVISOR),
    )
    assert closed.status_code == 201, closed.text
    assert closed.json()["affected"] == 1
    statuses = {b["id"]: b["status"] for b in phone.get("/api/v1/me/bookings").json()["items"]}
    assert statuses[booking["id"]] == "closed"
    assert other.get("/api/v1/me/bookings").json()["items"][0]["id"] == untouched["id"]
    assert other.get("/api/v1/me/bookings").json()["items"][0]["status"] == "booked"
    with context.db.unit_of_work(readonly=True) as session:
        told = session.scalar(
            select(Notification).where(
                Notification.person_id == person.person_id, Notification.kind == "booking_closed"
            )
        )
    assert told is not None
    # The nearest free slots, and none of them closed: 09:30 is first.
    assert told.params["options"].startswith("23.11 09:30")
    inbox = phone.get("/api/v1/me/notifications").json()["items"]
    body = next(item for item in inbox if item["kind"] == "booking_closed")
    assert "23.11 09:30" in body["body"]
    again = book(phone, start=MONDAY_9)
    assert again.status_code == 409 and again.json()["error"]["code"] == "slot_closed"
    days = phone.get(
        "/api/v1/bookings/slots", params={"service": "card_issue", "from": "2026-11-23"}
    ).json()["days"]
    assert days[0]["slots"][0]["start"] == "2026-11-23T09:30:00+03:00"
    anna = officer("anna", Role.SUPERVISOR)
    bad = client.post(
        "/api/v1/officer/bookings/closures",
        json={"date": "2026-11-23", "from": "10:00", "to": "09:00", "reason": "x"},
        headers=anna,
    )
    assert bad.status_code == 422
    absurd = client.post(
        "/api/v1/officer/bookings/closures",
        json={"date": "9999-12-31", "reason": "x"},
        headers=anna,
    )
    assert absurd.status_code == 422 and absurd.json()["error"]["code"] == "invalid_date"
    listed = client.get("/api/v1/officer/bookings", params={"date": "2026-11-23"}, headers=anna)
    assert listed.status_code == 200
    assert sorted(b["status"] for b in listed.json()["items"]) == ["booked", "closed"]
    assert all(b["qr_svg"] is None for b in listed.json()["items"])  # officers get no tickets
    far_day = client.get("/api/v1/officer/bookings", params={"date": "9999-12-31"}, headers=anna)
    assert far_day.status_code == 422


def test_reminders_once_each_and_a_no_show(
    migrant: NewMigrant, context: AppContext, clock: FixedClock
) -> None:
    person, phone = migrant()
    book(phone)
    clock.set(datetime(2026, 11, 22, 17, 59, tzinfo=MOSCOW))
    assert run_bookings(context, clock.now())["reminder_day_before"] == 0
    clock.set(datetime(2026, 11, 22, 18, 0, tzinfo=MOSCOW))
    assert run_bookings(context, clock.now())["reminder_day_before"] == 1
    assert run_bookings(context, clock.now())["reminder_day_before"] == 0
    clock.set(MONDAY_9 - timedelta(hours=2))
    assert run_bookings(context, clock.now())["reminder_soon"] == 1
    clock.set(MONDAY_9 + timedelta(minutes=29))
    assert run_bookings(context, clock.now())["no_show"] == 0
    clock.set(MONDAY_9 + timedelta(minutes=30))
    assert run_bookings(context, clock.now())["no_show"] == 1
    assert run_bookings(context, clock.now())["no_show"] == 0
    assert kinds(context, person)[-3:] == [
        "booking_reminder_day_before",
        "booking_reminder_soon",
        "booking_no_show",
    ]
    phone.refresh()
    assert phone.get("/api/v1/me/bookings").json()["items"][0]["status"] == "no_show"
    # A no-show frees the service: the person may book again.
    assert book(phone, start=MONDAY_9 + timedelta(days=1)).status_code == 201
