"""The person's own record over HTTP (issue 3): registration, residence, inbox, proof, export."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from amina.clock import FixedClock
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def test_me_before_registration(signed_in: Registered) -> None:
    person, migrant = signed_in
    me = migrant.me()
    assert me["person"]["id"] == str(person.person_id)
    assert me["eligibility"] == {
        "status": "required",
        "reason": "work",
        "required_from": "2025-09-01",
    }
    assert me["test_mode"] is False
    assert me["registration"] is None and me["residence"] is None
    assert me["registry"] == {"listed": False, "since": None}


def test_registration_at_the_mmc_address(signed_in: Registered, clock: FixedClock) -> None:
    _, migrant = signed_in
    location = migrant.location(ago=timedelta(minutes=2))
    response = migrant.register(location)
    assert response.status_code == 201, response.text
    registration = response.json()
    assert registration["status"] == "active" and "ММЦ" in registration["address"]
    me = migrant.me()
    assert me["registration"]["id"] == registration["id"]
    # Registered on Fri 20 Nov 2026: L = 20 Nov, deregistration Thu 26 Nov 00:00.
    assert me["monitoring"]["last_monitoring_at"] == "2026-11-20T09:58:00+03:00"
    assert me["monitoring"]["reminder_at"] == "2026-11-24T09:00:00+03:00"
    assert me["monitoring"]["final_warning_at"] == "2026-11-25T09:00:00+03:00"
    assert me["monitoring"]["deregistration_at"] == "2026-11-26T00:00:00+03:00"
    again = migrant.register()
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_registered"


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"citizenship": "BY"}, "belarus_citizen"),
        ({"purpose": "tourism", "stay_days": 10}, "short_stay"),
        ({"residence_permit": True}, "residence_permit"),
    ],
)
def test_people_who_need_not_register_get_403_with_the_reason(
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    overrides: dict[str, object],
    reason: str,
) -> None:
    person = add_person(**overrides)
    migrant = migrant_for(person)
    migrant.sign_in(person.card_number, person.birth_date)
    response = migrant.register()
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_required"
    assert response.json()["error"]["reason"] == reason


@pytest.mark.settings(long_stay_required_from=date(2027, 3, 1))
def test_test_mode_registration_works_without_legal_effect(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> None:
    person = add_person(purpose="study", stay_days=200)
    migrant = migrant_for(person)
    migrant.sign_in(person.card_number, person.birth_date)
    assert migrant.me()["test_mode"] is True
    response = migrant.register()
    assert response.status_code == 201 and response.json()["test_mode"] is True
    assert migrant.me()["eligibility"]["status"] == "test_mode"


def test_registration_needs_consent_and_a_real_location(signed_in: Registered) -> None:
    _, migrant = signed_in
    no_consent = migrant.register(geolocation=False)
    assert no_consent.status_code == 422
    assert no_consent.json()["error"]["code"] == "consent_required"
    heartbeat = migrant.register(migrant.location(lat=None, lon=None))
    assert heartbeat.json()["error"]["code"] == "invalid_location"
    stale = migrant.register(migrant.location(ago=timedelta(days=31)))
    assert stale.status_code == 422 and stale.json()["error"]["code"] == "invalid_location"
    assert migrant.me()["registration"] is None


def test_residence_rules(registered: Registered, clock: FixedClock) -> None:
    _, migrant = registered
    today = date(2026, 11, 20)
    no_address = migrant.declare_residence(accommodation="private", moved_in_on=str(today))
    assert no_address.json()["error"]["code"] == "address_required"
    future = migrant.declare_residence(
        address="ул. Тверская, 1",
        accommodation="private",
        moved_in_on=str(today + timedelta(days=1)),
    )
    assert future.json()["error"]["code"] == "invalid_moved_in_on"
    hotel = migrant.declare_residence(accommodation="hotel", moved_in_on=str(today))
    assert hotel.status_code == 200, hotel.text
    assert hotel.json()["address"] is None and hotel.json()["reported_late"] is False
    # Moved on Fri 20 Nov; reported on Thu 26 Nov: after Wed 25 Nov, the 3rd working day.
    clock.advance(timedelta(days=6))
    migrant.refresh()
    late = migrant.declare_residence(
        address="ул. Тверская, 1", accommodation="private", moved_in_on=str(today)
    )
    assert late.status_code == 200 and late.json()["reported_late"] is True
    me = migrant.me()
    assert me["residence"]["address"] == "ул. Тверская, 1"
    history = migrant.get("/api/v1/me/residence/history").json()["items"]
    assert [item["accommodation"] for item in history] == ["private", "hotel"]


def test_residence_needs_a_registration(signed_in: Registered) -> None:
    _, migrant = signed_in
    response = migrant.declare_residence(accommodation="hotel", moved_in_on="2026-11-20")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_registered"


def test_inbox_language_and_read_marks(registered: Registered, client: TestClient) -> None:
    _, migrant = registered
    inbox = migrant.get("/api/v1/me/notifications").json()
    assert [item["kind"] for item in inbox["items"]] == ["registered"]
    assert inbox["items"][0]["title"] == "Вы поставлены на учёт"
    assert inbox["next"] is None
    english = client.put("/api/v1/me/preferences", json={"language": "en"}, headers=migrant.auth)
    assert english.status_code == 200
    item = migrant.get("/api/v1/me/notifications").json()["items"][0]
    assert item["title"] == "You are registered"
    read = client.post(f"/api/v1/me/notifications/{item['id']}/read", headers=migrant.auth)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    unsupported = client.put(
        "/api/v1/me/preferences", json={"language": "xx"}, headers=migrant.auth
    )
    assert unsupported.status_code == 422
    assert migrant.get("/api/v1/me/notifications", params={"after": "garbage"}).status_code == 422


def test_no_token_reads_another_persons_data(
    registered: Registered,
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    client: TestClient,
) -> None:
    owner, owner_phone = registered
    other_person = add_person()
    other = migrant_for(other_person)
    other.sign_in(other_person.card_number, other_person.birth_date)
    assert other.me()["person"]["id"] == str(other_person.person_id)
    owners_item = owner_phone.get("/api/v1/me/notifications").json()["items"][0]
    stolen = client.post(f"/api/v1/me/notifications/{owners_item['id']}/read", headers=other.auth)
    assert stolen.status_code == 404
    export = other.get("/api/v1/me/export").json()
    assert export["person"]["id"] == str(other_person.person_id)
    assert str(owner.person_id) not in str(export)


def test_proof_of_registration_is_verifiable_by_anyone(
    registered: Registered, client: TestClient
) -> None:
    _, migrant = registered
    proof = migrant.get("/api/v1/me/proof").json()
    assert proof["qr_svg"].startswith("<svg") and proof["verify_url"].endswith(proof["token"])
    checked = client.get(f"/verify/{proof['token']}", headers={"Accept": "application/json"})
    assert checked.status_code == 200
    assert checked.json()["valid"] is True and checked.json()["holder"].startswith("Karimov ")
    page = client.get(f"/verify/{proof['token']}")
    assert page.status_code == 200 and "Действительно" in page.text
    forged = proof["token"][:-4] + ("AAAA" if not proof["token"].endswith("AAAA") else "BBBB")
    assert client.get(f"/verify/{forged}").status_code == 404
    assert client.get("/verify/nonsense", headers={"Accept": "application/json"}).json() == {
        "error": {"code": "not_a_proof", "message": "this is not a genuine proof"}
    }


def test_no_proof_without_a_registration(signed_in: Registered) -> None:
    _, migrant = signed_in
    assert migrant.get("/api/v1/me/proof").status_code == 409


def test_export_holds_everything(registered: Registered) -> None:
    _, migrant = registered
    migrant.report(migrant.location(ago=timedelta(minutes=-1)))
    export = migrant.get("/api/v1/me/export")
    assert export.status_code == 200
    assert "attachment" in export.headers["content-disposition"]
    data = export.json()
    assert len(data["registrations"]) == 1 and len(data["location_reports"]) == 2
    assert data["devices"][0]["public_key"] == migrant.public_key
    assert {e["action"] for e in data["audit_events"]} >= {"auth.signed_in", "person.added"}
    assert data["notifications"][0]["title"]
    assert "token_hash" not in str(data) and "code_hash" not in str(data)


def test_presence_calendar(registered: Registered) -> None:
    _, migrant = registered
    migrant.report(migrant.location(ago=timedelta(days=2)))
    days = migrant.get(
        "/api/v1/me/presence", params={"from": "2026-11-17", "to": "2026-11-20"}
    ).json()["days"]
    assert [d["date"] for d in days] == ["2026-11-17", "2026-11-18", "2026-11-19", "2026-11-20"]
    assert [d["had_report"] for d in days] == [False, True, False, True]
    assert days[3]["inside_territory"] is True
    too_long = migrant.get("/api/v1/me/presence", params={"from": "2026-01-01", "to": "2026-11-20"})
    assert too_long.status_code == 422


def test_push_subscriptions(registered: Registered, client: TestClient) -> None:
    _, migrant = registered
    keys = {"p256dh": "B" + "A" * 86, "auth": "A" * 22}
    ok = client.post(
        "/api/v1/me/push-subscriptions",
        headers=migrant.auth,
        json={"endpoint": "https://push.example/abc", "keys": keys},
    )
    assert ok.status_code == 201, ok.text
    insecure = client.post(
        "/api/v1/me/push-subscriptions",
        headers=migrant.auth,
        json={"endpoint": "http://push.example/abc", "keys": keys},
    )
    assert insecure.status_code == 422
    bad_key = client.post(
        "/api/v1/me/push-subscriptions",
        headers=migrant.auth,
        json={"endpoint": "https://push.example/x", "keys": {"p256dh": "short", "auth": "A" * 22}},
    )
    assert bad_key.status_code == 422


def test_public_config(client: TestClient) -> None:
    first = client.get("/api/v1/config").json()
    assert first["languages"][0] == "ru" and len(first["languages"]) == 11
    assert len(first["vapid_public_key"]) == 87  # 65 bytes, base64url
    assert client.get("/api/v1/config").json()["vapid_public_key"] == first["vapid_public_key"]
