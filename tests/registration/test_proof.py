"""The proof of registration (issue 10): a short token, a QR that decodes to a short URL, a
card with status and dates, a /verify page in 11 languages that says revoked or deregistered."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import numpy as np
import pytest
import segno
import zxingcpp
from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.config import LANGUAGES
from amina.context import AppContext
from amina.monitoring.deregistration import deregister
from amina.people.ids import mask_document_number
from amina.registration import proof
from amina.registration import repo as registration_repo
from amina.rules.lifecycle import Ground
from amina.web.routes.verify import catalog, pick_language
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]
JSON = {"Accept": "application/json"}


def decode_qr(content: str) -> str:
    """Render the QR as the app's SVG does (same segno settings) and read it back with ZXing."""
    matrix = segno.make(content, error="m").matrix
    modules = np.array([[0 if bit else 255 for bit in row] for row in matrix], dtype=np.uint8)
    image = np.pad(np.kron(modules, np.ones((8, 8), dtype=np.uint8)), 32, constant_values=255)
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return str(results[0].text)


def check(client: TestClient, token: str) -> Any:
    response = client.get(f"/verify/{token}", headers=JSON)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_qr_decodes_to_a_short_verify_url(registered: Registered) -> None:
    person, migrant = registered
    card = migrant.get("/api/v1/me/proof").json()
    assert re.fullmatch(r"[A-Za-z0-9_-]{22}", card["token"])  # 128 bits, base64url
    assert len(card["verify_url"]) <= 80
    assert decode_qr(card["verify_url"]) == card["verify_url"]
    # A version 4 QR or smaller (at most 33 × 33 modules): scannable at arm's length.
    assert segno.make(card["verify_url"], error="m").version <= 4
    assert card["qr_svg"].startswith("<svg")
    assert card["status"] == "active"
    assert card["holder"].startswith("Karimov")
    assert card["document"] == mask_document_number(person.card_number)
    assert person.card_number not in str(card)
    assert card["registered_at"].endswith("+03:00") and card["checked_at"].endswith("+03:00")
    # Opening it again shows the same proof: a printed QR keeps working.
    assert migrant.get("/api/v1/me/proof").json()["token"] == card["token"]


def test_a_revoked_proof_says_so_and_a_new_one_works(
    registered: Registered, client: TestClient
) -> None:
    _, migrant = registered
    old = migrant.get("/api/v1/me/proof").json()["token"]
    assert check(client, old)["status"] == "valid"
    assert client.delete("/api/v1/me/proof", headers=migrant.auth).status_code == 204
    assert client.delete("/api/v1/me/proof", headers=migrant.auth).status_code == 409
    revoked = check(client, old)
    assert revoked["valid"] is False and revoked["status"] == "revoked"
    assert catalog()["en"]["revoked"] in client.get(f"/verify/{old}?lang=en").text
    new = migrant.get("/api/v1/me/proof").json()["token"]
    assert new != old and check(client, new)["status"] == "valid"


def test_a_deregistered_proof_says_so(
    registered: Registered, client: TestClient, context: AppContext, clock: FixedClock
) -> None:
    person, migrant = registered
    token = migrant.get("/api/v1/me/proof").json()["token"]
    with context.db.unit_of_work() as session:
        registration = registration_repo.active_registration(session, person.person_id)
        assert registration is not None
        deregister(
            session,
            now=clock.now(),
            settings=context.settings,
            registration=registration,
            ground=Ground.LEFT_COUNTRY,
            actor=Actor("cli", "t"),
        )
    result = check(client, token)
    assert result["valid"] is False and result["status"] == "deregistered"
    assert result["deregistered_at"]
    page = client.get(f"/verify/{token}?lang=ru")
    assert catalog()["ru"]["not_valid"] in page.text
    assert catalog()["ru"]["deregistered"].split("{")[0] in page.text


def test_old_long_tokens_verify_until_they_expire(
    registered: Registered, client: TestClient, context: AppContext, clock: FixedClock
) -> None:
    person, _ = registered
    with context.db.unit_of_work(readonly=True) as session:
        registration = registration_repo.active_registration(session, person.person_id)
        assert registration is not None
        legacy = proof.issue(context.keys, registration.id, clock.now())
    assert len(legacy) > 100
    assert check(client, legacy)["status"] == "valid"
    clock.advance(proof.LEGACY_TTL - timedelta(minutes=1))
    assert check(client, legacy)["status"] == "valid"
    clock.advance(timedelta(minutes=2))
    expired = check(client, legacy)
    assert expired["valid"] is False and expired["status"] == "expired"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_page_in_each_language_shows_only_what_it_should(
    registered: Registered, client: TestClient, language: str
) -> None:
    person, migrant = registered
    token = migrant.get("/api/v1/me/proof").json()["token"]
    page = client.get(f"/verify/{token}?lang={language}")
    assert page.status_code == 200
    text = catalog()[language]
    assert f'<html lang="{language}">' in page.text
    for key in ("title", "valid", "name", "document", "registered_since", "checked_at"):
        assert text[key] in page.text, key
    assert mask_document_number(person.card_number) in page.text
    assert person.card_number not in page.text and person.phone not in page.text
    assert "<script" not in page.text and "style=" not in page.text and "<style" not in page.text
    assert "Сахарово" not in page.text and "lat" not in page.text.replace("translate", "")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp


def test_language_comes_from_the_query_then_accept_language() -> None:
    assert pick_language("uz", "ru") == "uz"
    assert pick_language(None, "de-DE,de;q=0.9,ka;q=0.8,en;q=0.5") == "ka"
    assert pick_language("xx", "fr") == "ru"
    assert pick_language(None, "en;q=0, uk") == "uk"


def test_not_a_proof_is_a_404_in_the_chosen_language(client: TestClient) -> None:
    page = client.get("/verify/AAAAAAAAAAAAAAAAAAAAAA", headers={"Accept-Language": "hy"})
    assert page.status_code == 404
    assert catalog()["hy"]["not_a_proof"] in page.text


def test_masking_keeps_only_enough_to_match() -> None:
    assert mask_document_number("770000000016") == "77••••••0016"
    assert mask_document_number("FA1234567") == "FA•••••67"
    assert mask_document_number("AB1") == "•••"
