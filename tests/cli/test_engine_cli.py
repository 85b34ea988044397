"""The engine's command line (issue 4): monitor run, checkin, outage add, audit verify,
officers, the registry and cases — against a real database that commits."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from typer.testing import CliRunner

from amina.audit.models import AuditEvent
from amina.cli import app
from amina.config import Settings
from amina.db import Database, make_engine
from amina.rules.calendar import MOSCOW
from tests.support.seed import seed_registered

PASSWORD = "correct horse battery staple"


@pytest.fixture
def amina(live_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {
        "AMINA_DATABASE_URL": live_url,
        "AMINA_DATA_DIR": str(tmp_path),
        "AMINA_NOW": "2026-11-16T12:00:00+03:00",
        "AMINA_OFFICER_PASSWORD": PASSWORD,
    }

    def run(*args: str, code: int = 0, now: str | None = None) -> Any:
        result = runner.invoke(app, list(args), env={**env, **({"AMINA_NOW": now} if now else {})})
        assert result.exit_code == code, result.output
        return json.loads(result.stdout) if "--json" in args else result

    return run


def registered_by_checkin(amina: Any) -> tuple[str, str]:
    """A person registered at the MMC, last seen at an in-person check-in on Mon 16 Nov."""
    person = amina(
        "person",
        "add",
        "--surname",
        "Karimov",
        "--given-names",
        "Aziz",
        "--birth-date",
        "1995-04-12",
        "--citizenship",
        "UZ",
        "--passport",
        "FA1234567",
        "--phone",
        "+998901112233",
        "--purpose",
        "work",
        "--entry-date",
        "2026-10-01",
        "--json",
    )["person_id"]
    card = amina("card", "issue", "--person", person, "--json")["card_number"]
    return person, card


def test_monitor_run_checkin_and_outage(amina: Any, live_url: str) -> None:

    db = Database.connect(live_url)
    (person_id,) = seed_registered(
        db, Settings(), count=1, last_monitoring_at=datetime(2026, 11, 16, 12, tzinfo=MOSCOW)
    )
    db.dispose()
    early = amina("monitor", "run", "--now", "2026-11-18T08:59:59+03:00", "--json")
    assert early["reminder"] == 0
    due = amina("monitor", "run", "--now", "2026-11-18T09:00:00+03:00", "--json")
    assert due["reminder"] == 1 and due["delivery_sent"] >= 1
    sms = amina("sms", "list", "--json")
    assert len(sms) == 1 and "16 ноября" in sms[0]["text"]
    # A declared outage on Thursday moves the deregistration from Fri 20 to Mon 23 Nov.
    moved = amina(
        "outage",
        "add",
        "--from",
        "2026-11-19T08:00:00+03:00",
        "--to",
        "2026-11-19T14:00:00+03:00",
        "--reason",
        "database failover",
        "--json",
        # Declared once it is over: an outage may end at most a day ahead (issue 9).
        now="2026-11-19T15:00:00+03:00",
    )
    assert moved["rescheduled"] == 1 and moved["status"] == "active"
    assert (
        amina("monitor", "run", "--now", "2026-11-20T00:00:00+03:00", "--json")["deregistration"]
        == 0
    )
    shown = amina("person", "show", "--person", str(person_id), "--json")
    assert shown["monitoring"]["deregistration_at"] == "2026-11-23T00:00:00+03:00"
    assert (
        amina("monitor", "run", "--now", "2026-11-23T00:00:00+03:00", "--json")["deregistration"]
        == 1
    )


def test_checkin_counts_as_monitoring(amina: Any) -> None:
    person, card = registered_by_checkin(amina)
    recorded = amina(
        "checkin",
        "--card",
        card,
        "--place",
        "ММЦ Сахарово",
        "--json",
        now="2026-11-17T10:00:00+03:00",
    )
    assert recorded["person_id"] == person
    shown = amina("person", "show", "--card", card, "--json")
    assert shown["monitoring"]["last_monitoring_at"].startswith("2026-11-17T10:00:00")
    assert amina("checkin", "--card", "000000000000", "--json", code=1)["error"]["code"] == (
        "card_not_found"
    )


def test_audit_verify_finds_tampering(amina: Any, live_url: str) -> None:
    registered_by_checkin(amina)
    assert amina("audit", "verify", "--json")["ok"] is True
    engine = make_engine(live_url)
    with engine.begin() as connection:
        connection.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(action="x"))
    engine.dispose()
    broken = amina("audit", "verify", "--json", code=1)
    assert broken == {
        "ok": False,
        "events": 1,
        "first_bad_seq": 2,
        "problem": "event 2 was altered",
    }


def test_registry_and_cases_from_the_command_line(amina: Any) -> None:
    person, _ = registered_by_checkin(amina)
    for username, role in (("anna", "mmc_officer"), ("boris", "supervisor")):
        amina(
            "officer",
            "add",
            "--username",
            username,
            "--name",
            username.title(),
            "--role",
            role,
            "--json",
        )
    entry = amina(
        "registry",
        "propose",
        "--person",
        person,
        "--officer",
        "anna",
        "--basis",
        "Repeated violations recorded in cases on file.",
        "--json",
    )["entry_id"]
    refused = amina("registry", "approve", "--entry", entry, "--officer", "anna", "--json", code=1)
    assert refused["error"]["code"] == "same_officer"
    listed = amina("registry", "approve", "--entry", entry, "--officer", "boris", "--json")
    assert listed["status"] == "listed"
    assert amina("person", "show", "--person", person, "--json")["registry"]["listed"] is True
    assert [e["entry_id"] for e in amina("registry", "list", "--json")] == [entry]
    removed = amina(
        "registry",
        "remove",
        "--entry",
        entry,
        "--officer",
        "boris",
        "--reason",
        "Decision annulled on appeal.",
        "--json",
    )
    assert removed["status"] == "removed"
    assert amina("case", "list", "--json") == []
