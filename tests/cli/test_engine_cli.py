"""The engine's command line (issue 4): monitor run, checkin, outage add, audit verify,
officers, the registry and cases — against a real database that commits."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, update
from typer.testing import CliRunner

from amina import vault
from amina.audit.models import AuditEvent
from amina.cli import app
from amina.config import Settings
from amina.db import Database, make_engine
from amina.rules.calendar import MOSCOW
from tests.conftest import TEST_SECRET
from tests.support.seed import seed_registered

PASSWORD = "correct horse battery staple"


@pytest.fixture
def amina(live_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    base = {
        "AMINA_DATABASE_URL": live_url,
        "AMINA_DATA_DIR": str(tmp_path),
        "AMINA_NOW": "2026-11-16T12:00:00+03:00",
        "AMINA_OFFICER_PASSWORD": PASSWORD,
        # The secret the suite's own helpers (seed_registered) encrypt with.
        "AMINA_SECRET_KEY": TEST_SECRET,
    }

    def run(
        *args: str, code: int = 0, now: str | None = None, env: dict[str, str] | None = None
    ) -> Any:
        extra = {**({"AMINA_NOW": now} if now else {}), **(env or {})}
        result = runner.invoke(app, list(args), env={**base, **extra})
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
    assert broken | {"checkpoints": 0, "anchored_to_seq": 0} == {
        "ok": False,
        "events": 1,
        "first_bad_seq": 2,
        "problem": "event 2 was altered",
        "checkpoints": 0,
        "anchored_to_seq": 0,
    }


def test_audit_checkpoint_anchors_verify(amina: Any, live_url: str, tmp_path: Path) -> None:
    registered_by_checkin(amina)
    signed = amina("audit", "checkpoint", "--json")
    assert signed["seq"] >= 2 and len(signed["public_key"]) == 44
    assert (tmp_path / "audit_signing_key.pem").exists()
    verified = amina("audit", "verify", "--json")
    assert verified["ok"] is True and verified["checkpoints"] == 1
    assert verified["anchored_to_seq"] == signed["seq"]
    # Cut the last event off and rewind the head: the signed checkpoint still names it.
    engine = make_engine(live_url)
    with engine.begin() as connection:
        connection.execute(delete(AuditEvent).where(AuditEvent.seq == signed["seq"]))
    engine.dispose()
    assert amina("audit", "verify", "--json", code=1)["ok"] is False


def test_keys_rotate_re_encrypts_under_a_new_secret(amina: Any, tmp_path: Path) -> None:
    _, card = registered_by_checkin(amina)
    old = TEST_SECRET
    new = "rotated-" + "Hj3Kd8Wq2Lx7Pz5N" * 3
    rotate = {"AMINA_SECRET_KEY": new, "AMINA_RETIRED_SECRET_KEYS": old}
    done = amina("keys", "rotate", "--json", env=rotate)
    assert done["rewritten"] == {"persons": 1, "documents": 2, "residences": 0}
    assert amina("keys", "rotate", "--json", env=rotate)["rewritten"] == {
        "persons": 0,
        "documents": 0,
        "residences": 0,
    }
    # The old secret retired for good: the person is still found and read.
    vault._RETAINED.clear()  # this process saw the old keys; a new one would not have
    shown = amina("person", "show", "--card", card, "--json", env={"AMINA_SECRET_KEY": new})
    assert shown["internal"]["phone"] == "+998901112233" and shown["card_number"] == card


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
