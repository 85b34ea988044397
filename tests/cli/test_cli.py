"""The command line of api.md, against a real database that commits."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from amina.cli import app


@pytest.fixture
def amina(live_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {"AMINA_DATABASE_URL": live_url, "AMINA_DATA_DIR": str(tmp_path)}

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if "--json" in args or code == 0 else result

    return run


def add_person(amina: Any, **overrides: str) -> str:
    options = {
        "--surname": "Karimov",
        "--given-names": "Aziz",
        "--birth-date": "1995-04-12",
        "--citizenship": "UZ",
        "--passport": "AB1234567",
        "--phone": "+998901234567",
        "--purpose": "work",
        "--entry-date": "2026-10-01",
        **overrides,
    }
    args = [item for pair in options.items() for item in pair]
    return str(amina("person", "add", *args, "--json")["person_id"])


def test_deadlines_example_from_the_issue(amina: Any) -> None:
    out = amina("rules", "deadlines", "--last-monitoring", "2025-12-30T18:00:00+03:00", "--json")
    assert out == {
        "last_monitoring_date": "2025-12-30",
        "reminder_at": "2026-01-13T09:00:00+03:00",
        "final_warning_at": "2026-01-14T09:00:00+03:00",
        "deregistration_at": "2026-01-15T00:00:00+03:00",
    }


def test_deadlines_without_a_database_use_the_production_calendar(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["rules", "deadlines", "--last-monitoring", "2026-11-20T12:00:00+03:00", "--json"],
        env={"AMINA_DATA_DIR": str(tmp_path)},
    )
    assert json.loads(result.stdout)["deregistration_at"] == "2026-11-26T00:00:00+03:00"


def test_deadlines_refuse_an_instant_without_offset(amina: Any) -> None:
    result = amina("rules", "deadlines", "--last-monitoring", "2025-12-30T18:00:00", code=2)
    assert "offset" in result.output


ELIGIBILITY_BASE = {
    "--citizenship": "UZ",
    "--birth-date": "1995-04-12",
    "--purpose": "work",
    "--entry-date": "2026-10-01",
    "--on": "2026-11-20",
}


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"--citizenship": "BY"}, ("exempt", "belarus_citizen", None)),
        ({"--birth-date": "2010-01-01"}, ("exempt", "minor", "2028-01-01")),
        ({"--category": "diplomat"}, ("exempt", "diplomat", None)),
        ({"--category": "international_org"}, ("exempt", "international_org", None)),
        ({"--category": "family_of_exempt"}, ("exempt", "family_of_exempt", None)),
        ({"--residence-permit": None}, ("exempt", "residence_permit", None)),
        ({"--citizenship": "CN"}, ("not_applicable", "citizenship_not_participating", None)),
        ({}, ("required", "work", "2025-09-01")),
        ({"--on": "2025-08-31", "--entry-date": "2025-06-01"}, ("test_mode", "work", "2025-09-01")),
        ({"--purpose": "study", "--stay-days": "120"}, ("required", "long_stay", "2026-09-01")),
        (
            {
                "--purpose": "study",
                "--stay-days": "120",
                "--on": "2026-08-01",
                "--entry-date": "2026-07-01",
            },
            ("test_mode", "long_stay", "2026-09-01"),
        ),
        ({"--purpose": "private", "--on": "2026-12-30"}, ("required", "long_stay", "2026-09-01")),
        ({"--purpose": "tourism", "--stay-days": "30"}, ("not_applicable", "short_stay", None)),
    ],
)
def test_eligibility_answers_every_row(
    amina: Any, options: dict[str, str | None], expected: tuple[str, str, str | None]
) -> None:
    args: list[str] = []
    for flag, value in {**ELIGIBILITY_BASE, **options}.items():
        args += [flag] if value is None else [flag, value]
    status, reason, required_from = expected
    assert amina("rules", "eligibility", *args, "--json") == {
        "status": status,
        "reason": reason,
        "required_from": required_from,
    }


def test_person_add_card_issue_person_show(amina: Any) -> None:
    person_id = add_person(amina)
    card = amina("card", "issue", "--person", person_id, "--json")["card_number"]
    shown = amina("person", "show", "--card", card, "--json")
    assert shown["person"]["id"] == person_id
    assert shown["person_id"] == person_id
    assert shown["card_number"] == card
    assert shown["eligibility"] == {
        "status": "required",
        "reason": "work",
        "required_from": "2025-09-01",
    }
    assert shown["registration"] is None
    assert shown["monitoring"]["last_monitoring_at"] is None
    assert shown["registry"] == {"listed": False, "since": None}
    by_id = amina("person", "show", "--person", person_id, "--json")
    assert by_id["card_number"] == card


def test_card_lost_then_show_by_lost_card_still_finds_the_person(amina: Any) -> None:
    person_id = add_person(amina)
    card = amina("card", "issue", "--person", person_id, "--number", "770000000001", "--json")[
        "card_number"
    ]
    assert card == "770000000001"
    assert amina("card", "lost", "--number", card, "--json")["status"] == "lost"
    assert amina("person", "show", "--card", card, "--json")["card_number"] is None


def test_domain_errors_exit_non_zero_with_a_code(amina: Any) -> None:
    add_person(amina)
    out = amina(
        "person",
        "add",
        "--surname",
        "X",
        "--given-names",
        "Y",
        "--birth-date",
        "1995-04-12",
        "--citizenship",
        "UZ",
        "--passport",
        "AB1234567",
        "--phone",
        "+998901234567",
        "--purpose",
        "work",
        "--entry-date",
        "2026-10-01",
        "--json",
        code=1,
    )
    assert out["error"]["code"] == "passport_exists"
    missing = amina("person", "show", "--card", "000000000000", "--json", code=1)
    assert missing["error"]["code"] == "card_not_found"
