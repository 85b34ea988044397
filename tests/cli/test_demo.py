"""`amina demo`: what it prints lets a newcomer sign in, with the card or with the passport.

The demo's own output is run through the server's validation (the same functions the API
uses) and through the API itself; the browser test (tests/browser/test_demo_sign_in.py) runs it
through the app's JavaScript.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from amina.cli import app
from amina.config import Settings
from amina.db import Database
from amina.notifications.repo import sent_sms
from amina.people.ids import has_valid_check_digit, normalise_card_number
from amina.web.app import create_app
from tests.support.migrant import code_in

CARD = re.compile(r"^\s*(77\d{10})\s+(\d{4}-\d{2}-\d{2})\s+([A-Z]{2}) ([A-Z0-9]+)\s", re.M)


@pytest.fixture
def demo_env(live_url: str, tmp_path: Path) -> dict[str, str]:
    return {"AMINA_DATABASE_URL": live_url, "AMINA_DATA_DIR": str(tmp_path)}


def run_demo(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, ["demo", *args], env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_every_printed_card_passes_the_check_digit_and_the_json_agrees(
    demo_env: dict[str, str],
) -> None:
    human = run_demo(demo_env)
    printed = CARD.findall(human)
    assert len(printed) >= 6, human
    document = json.loads(run_demo(demo_env, "--json"))
    from_json = [
        (
            p["card_number"],
            p["birth_date"],
            p["passport"]["country"],
            p["passport"]["number"],
        )
        for p in document["people"]
    ]
    assert printed == from_json
    for card, *_ in printed:
        assert normalise_card_number(card) == card
        assert has_valid_check_digit(card), card
    assert all(p["state"] for p in document["people"])
    states = [p["state"] for p in document["people"]]
    assert "exempt (belarus_citizen)" in states
    assert "not registered, required (work)" in states
    assert "exempt" in human


def test_the_printed_sms_command_runs_as_printed(demo_env: dict[str, str]) -> None:
    document = json.loads(run_demo(demo_env, "--json"))
    command = document["sms_command"].split()
    assert command[0].endswith("amina") and Path(command[0]).exists(), command
    assert command[1:] == ["sms", "list"]
    assert f"  {document['sms_command']}\n" in run_demo(demo_env)


def test_each_person_who_must_register_can_sign_in_with_card_and_with_passport(
    demo_env: dict[str, str], live_url: str, tmp_path: Path
) -> None:
    document = json.loads(run_demo(demo_env, "--json"))
    settings = Settings(
        database_url=live_url,
        data_dir=tmp_path,
        challenge_response_floor_s=0.0,
        heartbeat_interval_s=0,
        sends_per_phone_per_hour=100,
        sends_per_identifier_per_hour=100,
    )
    db = Database.connect(live_url)
    with TestClient(create_app(settings)) as client:
        for person in document["people"]:
            by_card = client.post(
                "/api/v1/auth/challenges",
                json={
                    "method": "card",
                    "card_number": person["card_number"],
                    "birth_date": person["birth_date"],
                },
            )
            assert by_card.status_code == 202, (person, by_card.text)
            by_passport = client.post(
                "/api/v1/auth/challenges",
                json={
                    "method": "passport",
                    "citizenship": person["passport"]["country"],
                    "passport_number": person["passport"]["number"],
                    "birth_date": person["birth_date"],
                },
            )
            assert by_passport.status_code == 202, (person, by_passport.text)
            with db.unit_of_work(readonly=True) as session:
                text = sent_sms(session, phone=person["phone"], limit=1)[0].text
            session_response = client.post(
                "/api/v1/auth/sessions",
                json={
                    "challenge_id": by_passport.json()["challenge_id"],
                    "code": code_in(text),
                    "device": _device(),
                },
            )
            assert session_response.status_code == 201, (person, session_response.text)
    db.dispose()


def _device() -> dict[str, Any]:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from amina.auth.devices import b64url_encode

    raw = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return {"public_key": b64url_encode(raw), "platform": "android", "app_version": "test"}


def test_running_the_demo_twice_changes_nothing(demo_env: dict[str, str]) -> None:
    first = json.loads(run_demo(demo_env, "--json"))
    second = json.loads(run_demo(demo_env, "--json"))
    assert all(p["created"] for p in first["people"])
    assert not any(p["created"] for p in second["people"])
    assert [p["state"] for p in first["people"]] == [p["state"] for p in second["people"]]
