"""`amina districts load|list` and an officer's district from the command line (issue 11)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from amina.cli import app
from tests.districts.fixtures import SYNTHETIC_DISTRICTS


@pytest.fixture
def amina(live_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {
        "AMINA_DATABASE_URL": live_url,
        "AMINA_DATA_DIR": str(tmp_path),
        "AMINA_OFFICER_PASSWORD": "correct horse battery staple",
    }

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if code == 0 else result.output

    return run


def test_load_list_and_assign_districts(amina: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": []}', encoding="utf-8")
    assert "no features" in amina("districts", "load", str(bad), code=2)
    assert amina("districts", "list", "--json") == []
    good = tmp_path / "districts.geojson"
    good.write_text(json.dumps(SYNTHETIC_DISTRICTS), encoding="utf-8")
    loaded = amina("districts", "load", str(good), "--simplify-m", "10", "--json")
    assert (loaded["loaded"], loaded["codes"]) == (2, ["east", "west"])
    assert [d["code"] for d in amina("districts", "list", "--json")] == ["east", "west"]
    add = ("officer", "add", "--name", "P. Officer", "--role", "police_officer", "--json")
    refused = amina(*add, "--username", "p1", "--district", "north", code=1)
    assert "unknown_district" in refused or "no such district" in refused
    made = amina(*add, "--username", "p1", "--district", "west")
    assert made["district"] == "west"
    assert amina("officer", "district", "p1", "--clear", "--json")["district"] is None
    assert amina("officer", "district", "p1", "--set", "east", "--json")["district"] == "east"
    assert "--set" in amina("officer", "district", "p1", code=2)
