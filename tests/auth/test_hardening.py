"""Issue 9: the birth-date oracle, per-IP caps behind trusted proxies, push endpoint ownership,
and refresh-token families."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient

from amina.context import AppContext
from amina.web.app import create_app
from amina.web.proxies import client_address, parse_networks
from tests.conftest import Recorded
from tests.support.migrant import Migrant

CHALLENGES = "/api/v1/auth/challenges"


def test_a_wrong_birth_date_gets_the_same_hint_as_the_right_one(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> None:
    """Defect 7: a stable decoy for a wrong birth date confirmed card + birth date."""
    person = add_person()
    migrant = migrant_for(person)
    hints = {
        migrant.challenge(method="card", card_number=person.card_number, birth_date=day).json()[
            "phone_hint"
        ]
        for day in (person.birth_date, "1990-01-01", "1980-06-15")
    }
    assert len(hints) == 1
    (hint,) = hints
    assert hint.startswith("+998 ") and not any(d in hint[5:] for d in "0123456789")


@pytest.fixture
def via(context: AppContext) -> Iterator[Callable[[str], TestClient]]:
    app = create_app(context.settings, context=context)
    opened: list[TestClient] = []

    def make(peer: str) -> TestClient:
        client = TestClient(app, client=(peer, 40000))
        opened.append(client)
        return client

    yield make
    for client in opened:
        client.close()


def card_challenge(client: TestClient, n: int, forwarded: str | None = None) -> int:
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    body = {"method": "card", "card_number": f"7700{n:08d}", "birth_date": "1990-01-01"}
    return client.post(CHALLENGES, json=body, headers=headers).status_code


@pytest.mark.settings(sends_per_ip_per_hour=2, trusted_proxies=("10.0.0.0/8",))
def test_per_ip_caps_work_behind_a_trusted_proxy(via: Callable[[str], TestClient]) -> None:
    """Defect 12: behind a proxy the whole city shared one bucket."""
    proxy = via("10.0.0.5")
    alice = [card_challenge(proxy, n, "203.0.113.7") for n in range(3)]
    assert alice == [202, 202, 429]
    # Another client behind the same proxy has a bucket of its own.
    assert card_challenge(proxy, 10, "203.0.113.8") == 202
    # A client cannot dodge its cap by writing its own X-Forwarded-For in front.
    assert card_challenge(proxy, 11, "198.51.100.1, 203.0.113.7") == 429
    # A peer that is not a trusted proxy is believed about nothing.
    stranger = via("192.0.2.9")
    assert [card_challenge(stranger, 20 + n, f"203.0.113.{50 + n}") for n in range(3)] == [
        202,
        202,
        429,
    ]


def test_forwarded_for_is_read_right_to_left_through_trusted_hops() -> None:
    nets = parse_networks(("10.0.0.0/8", "2001:db8::/32"))
    assert client_address("10.0.0.1", ["1.1.1.1, 203.0.113.7, 10.0.0.2"], nets) == "203.0.113.7"
    assert client_address("10.0.0.1", ["10.0.0.3", "10.0.0.2"], nets) == "10.0.0.3"
    assert client_address("10.0.0.1", ["garbage, 10.0.0.2"], nets) == "10.0.0.2"
    assert client_address("10.0.0.1", ["[2001:db9::1]:443"], nets) == "2001:db9::1"
    assert client_address("10.0.0.1", ["203.0.113.7:5000"], nets) == "203.0.113.7"
    assert client_address("10.0.0.1", [], nets) == "10.0.0.1"
    assert client_address("192.0.2.1", ["203.0.113.7"], nets) == "192.0.2.1"
    assert client_address("unknown", ["203.0.113.7"], nets) == "unknown"


def test_a_push_endpoint_cannot_be_taken_by_another_account(
    registered: tuple[Recorded, Migrant],
    add_person: Callable[..., Recorded],
    migrant_for: Callable[[Recorded], Migrant],
    client: TestClient,
) -> None:
    _, owner = registered
    other_person = add_person()
    other = migrant_for(other_person)
    other.sign_in(other_person.card_number, other_person.birth_date)
    body = {
        "endpoint": "https://push.example/owned",
        "keys": {"p256dh": "B" + "A" * 86, "auth": "A" * 22},
    }
    path = "/api/v1/me/push-subscriptions"
    assert client.post(path, headers=owner.auth, json=body).status_code == 201
    taken = client.post(path, headers=other.auth, json=body)
    assert taken.status_code == 409 and taken.json()["error"]["code"] == "push_endpoint_taken"
    # The owner may post it again (a re-subscription), and after unsubscribing it is free.
    assert client.post(path, headers=owner.auth, json=body).status_code == 201
    gone = client.request("DELETE", path, headers=owner.auth, json={"endpoint": body["endpoint"]})
    assert gone.status_code == 204
    assert client.post(path, headers=other.auth, json=body).status_code == 201


def test_a_reused_refresh_token_revokes_the_whole_family(
    signed_in: tuple[Recorded, Migrant], client: TestClient
) -> None:
    _, migrant = signed_in
    stolen = migrant.refresh_token
    migrant.refresh()
    reused = client.post("/api/v1/auth/refresh", json={"refresh_token": stolen})
    assert reused.status_code == 401 and reused.json()["error"]["code"] == "refresh_token_reused"
    fresh = client.post("/api/v1/auth/refresh", json={"refresh_token": migrant.refresh_token})
    assert fresh.status_code == 401
    assert migrant.get("/api/v1/me").status_code == 401
