"""Issue 9, defect 4: a NUL byte in a text field was a 500 on PostgreSQL. Every text field of
every request schema now goes through one rule (amina.schemas.clean_text): NFC, no NUL or other
control characters (422), a length limit."""

from __future__ import annotations

import importlib
import pkgutil
import sys
import typing
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, BeforeValidator

import amina
from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.db import Database
from amina.integrations.service import create_key
from amina.officers.models import Role
from amina.officers.service import add_officer
from amina.schemas import RequestModel, clean_text, has_control
from tests.conftest import Recorded
from tests.support.migrant import Migrant

# Passwords are only ever hashed (never stored, never normalised: that would change them).
NOT_TEXT = {("OfficerSignInIn", "password")}
NASTY = ["a\x00b", "\x00", "a\x1fb", "a\x7fb", "line\rbreak", "\ud800", "a\x1b[31mb"]


def _request_models() -> Iterator[type[BaseModel]]:
    for module in pkgutil.walk_packages(amina.__path__, "amina."):
        if ".migrations" not in module.name:
            importlib.import_module(module.name)
    seen: set[type[BaseModel]] = set()
    pending: list[type[BaseModel]] = [RequestModel]
    while pending:
        model = pending.pop()
        for sub in model.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                pending.append(sub)
                yield sub


def _bare_strings(annotation: Any, guarded: bool = False) -> Iterator[Any]:
    """Every `str` in an annotation that no clean_text validator guards."""
    if annotation is str:
        if not guarded:
            yield annotation
        return
    origin = typing.get_origin(annotation)
    if origin is Annotated:
        inner, *extras = typing.get_args(annotation)
        checks = [e for e in extras if isinstance(e, BeforeValidator)]
        has_rule = any(getattr(e.func, "__module__", "") == "amina.schemas" for e in checks)
        yield from _bare_strings(inner, guarded or has_rule)
        return
    for arg in typing.get_args(annotation):
        yield from _bare_strings(arg, guarded)


def test_every_text_field_of_every_request_goes_through_the_one_rule() -> None:
    models = list(_request_models())
    assert len(models) >= 20
    unguarded = [
        f"{model.__module__}.{model.__name__}.{name}"
        for model in models
        for name, hint in typing.get_type_hints(model, include_extras=True).items()
        if name in model.model_fields
        and (model.__name__, name) not in NOT_TEXT
        and list(_bare_strings(hint))
    ]
    assert unguarded == []


@pytest.mark.parametrize("value", NASTY)
def test_control_characters_are_refused(value: str) -> None:
    with pytest.raises(ValueError, match="control characters"):
        clean_text(value)


def test_text_is_normalised_to_nfc_and_prose_keeps_line_breaks() -> None:
    assert clean_text("И\u0306") == "\u0419"
    assert clean_text("first\nsecond\tthird", multiline=True) == "first\nsecond\tthird"
    with pytest.raises(ValueError):
        clean_text("first\nsecond")
    assert clean_text(42) == 42  # not text: pydantic's own type check answers


@pytest.fixture
def officer_auth(context: AppContext, client: TestClient, clock: FixedClock) -> dict[str, str]:
    with context.db.unit_of_work() as session:
        add_officer(
            session,
            now=clock.now(),
            actor=Actor("cli", "t"),
            username="sveta",
            display_name="Sveta",
            role=Role.SUPERVISOR,
            password="correct horse battery staple",
        )
    response = client.post(
        "/api/v1/officer/sessions",
        json={"username": "sveta", "password": "correct horse battery staple"},
    )
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


@pytest.fixture
def service_auth(db: Database, clock: FixedClock) -> dict[str, str]:
    with db.unit_of_work() as session:
        key = create_key(session, now=clock.now(), actor=Actor("cli", "t"), name="border")
    return {"Authorization": f"Bearer {key}"}


def test_nul_in_each_field_the_attack_found_is_a_422(
    registered: tuple[Recorded, Migrant],
    client: TestClient,
    officer_auth: dict[str, str],
    service_auth: dict[str, str],
) -> None:
    person, migrant = registered
    nul = "x\x00y"
    device = {"public_key": migrant.public_key, "platform": "android"}
    challenge = "00000000-0000-0000-0000-000000000000"
    cases: list[tuple[str, str, dict[str, str], dict[str, Any]]] = [
        ("POST", "/api/v1/officer/sessions", {}, {"username": nul, "password": "x"}),
        (
            "POST",
            "/api/v1/auth/sessions",
            {},
            {"challenge_id": challenge, "code": "123456", "device": {**device, "model": nul}},
        ),
        (
            "POST",
            "/api/v1/auth/sessions",
            {},
            {"challenge_id": challenge, "code": "123456", "device": {**device, "app_version": nul}},
        ),
        (
            "POST",
            "/api/v1/auth/challenges",
            {},
            {"method": "card", "card_number": nul, "birth_date": "1990-01-01"},
        ),
        (
            "POST",
            "/api/v1/me/registration",
            migrant.auth,
            {
                "consent": {"personal_data": True, "geolocation": True, "version": nul},
                "location": migrant.location(),
            },
        ),
        (
            "PUT",
            "/api/v1/me/residence",
            migrant.auth,
            {"address": nul, "accommodation": "private", "moved_in_on": "2026-11-20"},
        ),
        (
            "POST",
            "/api/v1/officer/checkins",
            officer_auth,
            {"card_number": person.card_number, "place": nul},
        ),
        (
            "POST",
            "/api/v1/officer/outages",
            officer_auth,
            {
                "starts_at": "2026-11-20T01:00:00+03:00",
                "ends_at": "2026-11-20T02:00:00+03:00",
                "reason": nul,
            },
        ),
        (
            "POST",
            "/api/v1/officer/calendar/overrides",
            officer_auth,
            {"date": "2026-12-31", "is_working": False, "reason": nul},
        ),
        (
            "POST",
            "/api/v1/integrations/events",
            service_auth,
            {
                "type": "left_country",
                "source": nul,
                "source_ref": "r-1",
                "occurred_at": "2026-11-20T11:00:00+03:00",
                "person": {"card_number": person.card_number},
            },
        ),
    ]
    for method, path, headers, body in cases:
        answer = client.request(method, path, headers=headers, json=body)
        assert answer.status_code == 422, (path, answer.text)
        assert answer.json()["error"]["code"] == "invalid_request", (path, answer.text)
        assert "\x00" not in answer.text


def test_an_address_is_stored_in_nfc(registered: tuple[Recorded, Migrant]) -> None:
    _, migrant = registered
    decomposed = "ул. Вои\u0306кова, 1"  # "й" as и + combining breve
    answer = migrant.declare_residence(
        address=decomposed, accommodation="private", moved_in_on="2026-11-20"
    )
    assert answer.status_code == 200, answer.text
    assert migrant.me()["residence"]["address"] == "ул. Войкова, 1"


def test_cli_text_goes_through_the_same_rule(tmp_path: Path) -> None:
    """Refused before any database is opened."""
    from typer.testing import CliRunner

    from amina.cli.app import app

    result = CliRunner(env={"AMINA_DATA_DIR": str(tmp_path)}).invoke(
        app, ["outage", "add", "--from", "2026-11-20T01:00:00+03:00", "--to",
              "2026-11-20T02:00:00+03:00", "--reason", "bad\x00reason"],
    )  # fmt: skip
    assert result.exit_code == 2 and "control characters" in result.output
    assert not (tmp_path / "amina.sqlite3").exists()


def test_the_compiled_control_scan_is_exactly_unicode_cc_and_cs() -> None:
    """The one regular expression refuses what a walk over the Unicode categories refuses, at
    every code point (prose keeps line breaks and tabs)."""
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        refused = unicodedata.category(char) in ("Cc", "Cs")
        assert has_control(char) is refused, hex(code)
        assert has_control(f"a{char}b", multiline=True) is (refused and char not in "\n\t")
