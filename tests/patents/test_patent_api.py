"""The patent over the API (rules.md §7): the person's screen and payment QR, the officer API
with its role checks, and the `patent_payment` event's edge cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.integrations.service import create_key
from amina.officers.models import Role
from amina.officers.service import add_officer
from tests.conftest import Recorded
from tests.patents.qr_image import decode
from tests.support.migrant import Migrant

PASSWORD = "correct horse battery staple"
INN = "500100732259"
SignedIn = tuple[Recorded, Migrant]


@pytest.fixture
def officer(context: AppContext, client: TestClient, clock: FixedClock) -> Callable[..., Any]:
    def make(username: str, role: Role = Role.MMC_OFFICER) -> dict[str, str]:
        with context.db.unit_of_work() as session:
            add_officer(
                session,
                now=clock.now(),
                actor=Actor("cli", "t"),
                username=username,
                display_name=username.title(),
                role=role,
                password=PASSWORD,
            )
        response = client.post(
            "/api/v1/officer/sessions", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return make


@pytest.fixture
def service_key(context: AppContext, clock: FixedClock) -> dict[str, str]:
    with context.db.unit_of_work() as session:
        key = create_key(session, now=clock.now(), actor=Actor("cli", "t"), name="bank")
    return {"Authorization": f"Bearer {key}"}


def issue(client: TestClient, headers: dict[str, str], person: Recorded, **changes: Any) -> Any:
    body = {
        "person_id": str(person.person_id),
        "series": "77",
        "number": "2600099999",
        "issued_on": "2026-11-01",
        "months": 1,
        "inn": INN,
        **changes,
    }
    return client.post("/api/v1/officer/patents", json=body, headers=headers)


def pay(client: TestClient, key: dict[str, str], **changes: Any) -> Any:
    body = {
        "type": "patent_payment",
        "source": "bank",
        "source_ref": "p-1",
        "occurred_at": "2026-11-20T09:00:00+03:00",
        "patent": {"series": "77", "number": "2600099999"},
        "amount_kopecks": 1_000_000,
        **changes,
    }
    return client.post("/api/v1/integrations/events", json=body, headers=key)


def test_the_persons_patent_screen_and_payment_qr(
    signed_in: SignedIn, client: TestClient, officer: Any
) -> None:
    person, migrant = signed_in
    missing = client.get("/api/v1/me/patent", headers=migrant.auth)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "patent_not_found"
    assert issue(client, officer("anna"), person).status_code == 201
    mine = client.get("/api/v1/me/patent", headers=migrant.auth).json()
    # Issued 1 Nov for a month: valid through 30 Nov; today is 20 Nov, so 11 days are left.
    assert (mine["status"], mine["valid_through"], mine["days_left"]) == ("valid", "2026-11-30", 11)
    assert mine["payment"] is None and mine["monthly_amount_rub"] == 10000
    block = client.get("/api/v1/me/patent?months=2", headers=migrant.auth).json()["payment"]
    assert (block["amount_rub"], block["amount_kopecks"]) == (20000, 2_000_000)
    assert block["unknown_fields"] == ["OKTMO"]  # not sourced: said so, never invented

    # The QR, decoded from the served SVG, is ГОСТ Р 56042-2014.
    text = decode(block["qr_svg"])
    assert text == block["payload"]
    header, *pairs = text.split("|")
    assert header == "ST00012"  # format ST, version 0001, encoding 2 = UTF-8
    fields = dict(pair.split("=", 1) for pair in pairs)
    assert len(fields) == len(pairs)  # every pair is Key=Value, no stray separators
    assert [k for k, _ in (p.split("=", 1) for p in pairs[:5])] == [
        "Name",
        "PersonalAcc",
        "BankName",
        "BIC",
        "CorrespAcc",
    ]
    assert fields["Sum"] == "2000000"  # kopecks
    assert fields["CBC"] == "18210102040011000110"
    assert fields["PayerINN"] == INN
    assert len(fields["PersonalAcc"]) == 20 and len(fields["CorrespAcc"]) == 20
    assert len(fields["BIC"]) == 9 and fields["PayeeINN"] == "7727406020"
    assert "77 2600099999" in fields["Purpose"] and "OKTMO" not in fields
    details = {d["field"]: d for d in block["details"]}
    assert details["OKTMO"] == {"field": "OKTMO", "value": None, "known": False}


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [("months=0", 422, "validation_error"), ("months=12", 422, "beyond_term")],
)
def test_months_outside_the_term_are_refused_before_payment(
    signed_in: SignedIn, client: TestClient, officer: Any, query: str, status: int, code: str
) -> None:
    person, migrant = signed_in
    issue(client, officer("anna"), person)
    response = client.get(f"/api/v1/me/patent?{query}", headers=migrant.auth)
    assert response.status_code == status
    if code != "validation_error":
        assert response.json()["error"]["code"] == code


def test_officer_roles_are_checked_on_the_server(
    signed_in: SignedIn, client: TestClient, officer: Any
) -> None:
    person, migrant = signed_in
    police, admin = officer("petrov", Role.POLICE_OFFICER), officer("it", Role.ADMIN)
    assert issue(client, police, person).status_code == 403
    assert issue(client, admin, person).status_code == 403
    assert client.post("/api/v1/officer/patents", json={}, headers=migrant.auth).status_code == 401
    assert issue(client, officer("anna"), person).status_code == 201
    view = f"/api/v1/officer/persons/{person.person_id}/patent"
    assert client.get(view, headers=police).status_code == 200
    assert client.get(view, headers=admin).status_code == 403
    assert client.get("/api/v1/officer/patent-payments/flagged", headers=admin).status_code == 403


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"inn": "500100732258"}, "invalid_inn"),
        ({"inn": "5001007322"}, "invalid_inn"),
        ({"months": 13}, "validation_error"),
        ({"issued_on": "2026-12-01"}, "invalid_issued_on"),
        ({"issued_on": "2025-01-01"}, "already_lapsed"),
        ({"series": "7|7"}, "validation_error"),
    ],
)
def test_bad_issue_requests_change_nothing(
    signed_in: SignedIn, client: TestClient, officer: Any, changes: dict[str, Any], code: str
) -> None:
    person, migrant = signed_in
    response = issue(client, officer("anna"), person, **changes)
    assert response.status_code == 422, response.text
    if code != "validation_error":
        assert response.json()["error"]["code"] == code
    assert client.get("/api/v1/me/patent", headers=migrant.auth).status_code == 404


def test_a_second_patent_and_a_taken_number_are_conflicts(
    signed_in: SignedIn, add_person: Callable[..., Recorded], client: TestClient, officer: Any
) -> None:
    person, _ = signed_in
    anna = officer("anna")
    assert issue(client, anna, person).status_code == 201
    again = issue(client, anna, person, number="2600011111")
    assert again.status_code == 409 and again.json()["error"]["code"] == "patent_exists"
    taken = issue(client, anna, add_person())
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "patent_exists"


def test_payments_that_cannot_count_are_kept_and_flagged(
    signed_in: SignedIn, client: TestClient, officer: Any, service_key: dict[str, str]
) -> None:
    person, migrant = signed_in
    anna = officer("anna")
    issue(client, anna, person)
    unknown = pay(client, service_key, source_ref="u", patent={"series": "1", "number": "2"})
    assert unknown.json()["flags"] == ["unknown_patent"], unknown.text
    zero = pay(client, service_key, source_ref="z", amount_kopecks=500_000)
    assert zero.json()["flags"] == ["remainder", "zero_months"]
    part = pay(client, service_key, source_ref="r", amount_kopecks=1_000_100, payer_inn=INN)
    assert (part.json()["months_credited"], part.json()["flags"]) == (1, ["remainder"])
    beyond = pay(client, service_key, source_ref="b", amount_kopecks=12 * 1_000_000)
    assert (beyond.json()["months_credited"], beyond.json()["flags"]) == (10, ["beyond_term"])
    by_inn = pay(client, service_key, source_ref="i", patent=None, payer_inn=INN)
    assert by_inn.json()["flags"] == ["beyond_term"]
    flagged = client.get("/api/v1/officer/patent-payments/flagged", headers=anna).json()
    assert {p["source_ref"] for p in flagged} == {"u", "z", "r", "b", "i"}
    mine = client.get("/api/v1/me/patent", headers=migrant.auth).json()
    assert (mine["months_paid"], mine["valid_through"]) == (12, "2027-10-31")
    assert len(mine["payments"]) == 4  # the unknown one is not this person's


@pytest.mark.parametrize(
    ("changes", "status", "code"),
    [
        ({"payer_inn": "123"}, 422, "invalid_inn"),
        ({"patent": None}, 422, "validation_error"),
        ({"amount_kopecks": -1}, 422, "validation_error"),
        ({"occurred_at": "2026-11-21T09:00:00+03:00"}, 422, "invalid_occurred_at"),
    ],
)
def test_malformed_payment_events_are_refused(
    client: TestClient,
    service_key: dict[str, str],
    changes: dict[str, Any],
    status: int,
    code: str,
) -> None:
    response = pay(client, service_key, **changes)
    assert response.status_code == status, response.text
    if code != "validation_error":
        assert response.json()["error"]["code"] == code


def test_a_reused_source_ref_for_another_payment_is_a_conflict(
    signed_in: SignedIn, client: TestClient, officer: Any, service_key: dict[str, str]
) -> None:
    person, _ = signed_in
    issue(client, officer("anna"), person)
    assert pay(client, service_key).status_code == 202
    other = pay(client, service_key, amount_kopecks=2_000_000)
    assert other.status_code == 409 and other.json()["error"]["code"] == "source_ref_conflict"


def test_a_timely_payment_confirmed_after_the_lapse_undoes_it(
    signed_in: SignedIn,
    client: TestClient,
    officer: Any,
    service_key: dict[str, str],
    context: AppContext,
    clock: FixedClock,
) -> None:
    from amina.patents.timers import note_lapses

    person, migrant = signed_in
    anna = officer("anna")
    issue(client, anna, person)
    clock.set(datetime.fromisoformat("2026-12-01T00:30:00+03:00"))
    assert note_lapses(context.db, now=clock.now()) == 1
    anna = officer("boris")  # tokens are short-lived; the clock moved 11 days
    migrant.refresh()
    cases = client.get("/api/v1/officer/cases?kind=patent_lapsed", headers=anna).json()
    assert len(cases) == 1 and cases[0]["registration_id"] is None
    # Paid at 23:50 on the last valid day; the bank's confirmation arrives at 00:40.
    clock.set(datetime.fromisoformat("2026-12-01T00:40:00+03:00"))
    paid = pay(client, service_key, occurred_at="2026-11-30T23:50:00+03:00")
    assert paid.json()["flags"] == [] and paid.json()["months_credited"] == 1
    mine = client.get("/api/v1/me/patent", headers=migrant.auth).json()
    assert (mine["status"], mine["valid_through"]) == ("valid", "2026-12-31")
    assert client.get("/api/v1/officer/cases?kind=patent_lapsed", headers=anna).json() == []


def test_reissue_once_after_twelve_months(
    signed_in: SignedIn, add_person: Callable[..., Recorded], client: TestClient, officer: Any
) -> None:
    person, migrant = signed_in
    anna = officer("anna")
    short = add_person()
    issue(client, anna, short, number="2600011111", months=11)
    early = client.post(
        f"/api/v1/officer/persons/{short.person_id}/patent/reissue",
        json={"series": "77", "number": "2700000001", "months": 3},
        headers=anna,
    )
    assert early.status_code == 409 and early.json()["error"]["code"] == "term_not_complete"

    issue(client, anna, person, months=12)
    url = f"/api/v1/officer/persons/{person.person_id}/patent/reissue"
    body = {"series": "77", "number": "2700000002", "months": 3}
    first = client.post(url, json=body, headers=anna)
    assert first.status_code == 201, first.text
    assert first.json()["valid_through"] == "2028-01-31"  # from 1 Nov 2027, 3 months
    mine = client.get("/api/v1/me/patent", headers=migrant.auth).json()
    assert (mine["number"], mine["reissue_of"] is not None) == ("2700000002", True)
    mine_months = client.get("/api/v1/me/patent?months=9", headers=migrant.auth)
    assert mine_months.status_code == 200  # 3 + 9 = 12
    again = client.post(url, json={**body, "number": "2700000003"}, headers=anna)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reissued"


def test_the_demo_seeds_a_patent_close_to_lapsing_once(
    context: AppContext, clock: FixedClock
) -> None:
    from amina import demo
    from amina.patents import service as patents
    from amina.people.service import find_card

    with context.db.unit_of_work() as session:
        demo.seed(session, now=clock.now())
        demo.seed(session, now=clock.now())
        card = find_card(session, "770000000016")
        assert card is not None
        patent = patents.current(session, card.person_id)
        shown = patents.view(session, patent, now=clock.now(), settings=context.settings)
    assert (shown.status, shown.days_left) == ("valid", 3)


def test_an_officer_closes_a_lapse_review_and_nothing_else_changes(
    registered: SignedIn,
    client: TestClient,
    officer: Any,
    context: AppContext,
    clock: FixedClock,
) -> None:
    from amina.patents.timers import note_lapses, send_reminders

    person, migrant = registered
    issue(client, officer("anna"), person)
    clock.set(datetime.fromisoformat("2026-12-01T10:30:00+03:00"))
    assert note_lapses(context.db, now=clock.now()) == 1
    # The lapse day's notice goes once; the patent's next reminder is then past this term.
    assert send_reminders(context.db, now=clock.now(), settings=context.settings) == (1, 1)
    assert send_reminders(context.db, now=clock.now(), settings=context.settings) == (0, 0)
    boris = officer("boris")
    case = client.get("/api/v1/officer/cases?kind=patent_lapsed", headers=boris).json()[0]
    assert case["patent_id"] is not None and case["evidence"] == {"valid_through": "2026-11-30"}
    police = officer("petrov", Role.POLICE_OFFICER)
    decision = {"outcome": "confirmed", "reason": "the patent lapsed; new one needed"}
    url = f"/api/v1/officer/cases/{case['id']}/decision"
    assert client.post(url, json=decision, headers=police).status_code == 403
    wrong = client.post(url, json={**decision, "outcome": "reinstated"}, headers=boris)
    assert wrong.status_code == 422
    closed = client.post(url, json=decision, headers=boris)
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["outcome"]) == ("closed", "confirmed")
    migrant.refresh()
    me = migrant.me()
    assert me["registration"]["status"] == "active" and me["registry"]["listed"] is False
