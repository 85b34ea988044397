"""The CLI reads well without --json (issue 10): tables, Moscow times with their offset."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from amina import __version__
from amina.cli import app
from amina.cli.human import cell, moscow_text


def run(env: dict[str, str], *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_data_commands_print_tables_and_moscow_times(live_url: str, tmp_path: Path) -> None:
    env = {"AMINA_DATABASE_URL": live_url, "AMINA_DATA_DIR": str(tmp_path), "COLUMNS": "160"}
    person = json.loads(run(env, "demo", "--json"))["people"][0]
    shown = json.loads(run(env, "person", "show", "--card", person["card_number"], "--json"))
    human = run(env, "person", "show", "--card", person["card_number"])
    assert not human.lstrip().startswith("{")
    assert shown["person"]["surname"] in human and "person.surname" in human

    sms_json = json.loads(run(env, "sms", "list", "--json"))
    sms_human = run(env, "sms", "list")
    assert sms_json == [] or sms_json[0]["sent_at"].endswith("+03:00")
    assert "sent_at" in sms_human or "(none)" in sms_human

    monitor = run(env, "monitor", "run")
    assert not monitor.lstrip().startswith("{")


def test_instants_are_moscow_with_offset() -> None:
    instant = datetime(2026, 12, 2, 1, 48, tzinfo=UTC)
    assert moscow_text(instant) == "2026-12-02 04:48:00 +03:00"
    assert cell("2026-12-02T01:48:00+00:00") == "2026-12-02 04:48:00 +03:00"
    assert cell(None) == "—" and cell(True) == "yes"


def test_version_and_a_help_without_completion_clutter() -> None:
    assert CliRunner().invoke(app, ["--version"]).stdout.strip() == f"amina {__version__}"
    help_text = CliRunner().invoke(app, ["--help"]).stdout
    assert "--install-completion" not in help_text and "--show-completion" not in help_text
