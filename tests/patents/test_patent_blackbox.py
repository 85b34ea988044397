"""rules.md §7 end to end, through the command line and the API against a real database that
commits (SQLite or PostgreSQL, as the suite is run): the example of §7, from issue to lapse."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from amina.cli import app
from amina.clock import FixedClock
from amina.config import Settings
from amina.web.app import create_app

INN = "500100732259"
PHONE = "+998901112233"


class World:
    """The CLI (each command at its own AMINA_NOW) and the integrations API, on one database."""

    def __init__(self, url: str, data_dir: Path) -> None:
        self.url, self.data_dir = url, data_dir
        self.runner = CliRunner()
        self.clock = FixedClock(datetime.fromisoformat("2026-03-15T12:00:00+03:00"))
        settings = Settings(
            database_url=url, data_dir=data_dir, heartbeat_interval_s=0, env="development"
        )
        self.client = TestClient(create_app(settings, clock=self.clock))

    def at(self, instant: str) -> None:
        self.clock.set(datetime.fromisoformat(instant))

    def cli(self, *args: str, code: int = 0) -> Any:
        env = {
            "AMINA_DATABASE_URL": self.url,
            "AMINA_DATA_DIR": str(self.data_dir),
            "AMINA_NOW": self.clock.now().isoformat(),
        }
        result = self.runner.invoke(app, list(args), env=env)
        assert result.exit_code == code, result.output
        return json.loads(result.stdout)

    def event(self, key: str, **body: Any) -> Any:
        return self.client.post(
            "/api/v1/integrations/events",
            json={"type": "patent_payment", "source": "treasury", **body},
            headers={"Authorization": f"Bearer {key}"},
        )

    def sms(self, phone: str) -> list[str]:
        return [m["text"] for m in reversed(self.cli("sms", "list", "--phone", phone, "--json"))]


@pytest.fixture
def world(live_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(live_url, tmp_path / "data")
    with w.client:
        yield w


def worker(world: World, at: str) -> dict[str, int]:
    world.at(at)
    return dict(world.cli("worker", "--once", "--json")["patents"])


def test_the_example_of_section_7_from_issue_to_lapse(world: World) -> None:
    person = world.cli(
        "person", "add", "--surname", "Karimov", "--given-names", "Aziz",
        "--birth-date", "1995-04-12", "--citizenship", "UZ", "--passport", "FA7654321",
        "--phone", PHONE, "--purpose", "work", "--entry-date", "2026-03-01",
        "--language", "uz", "--json",
    )["person_id"]  # fmt: skip
    issued = world.cli(
        "patent", "issue", "--person", person, "--series", "77", "--number", "2600012345",
        "--issued-on", "2026-03-15", "--months", "1", "--inn", INN, "--json",
    )  # fmt: skip
    assert issued["valid_through"] == "2026-04-14"
    assert issued["lapses_at"] == "2026-04-15T00:00:00+03:00"
    key = world.cli("service-key", "create", "--name", "treasury", "--json")["key"]

    # Reminders 7, 3 and 1 days before the lapse date, once each however often the worker runs.
    assert worker(world, "2026-04-08T09:00:00+03:00")["reminders"] == 0
    assert worker(world, "2026-04-08T10:05:00+03:00")["reminders"] == 1
    assert worker(world, "2026-04-08T18:00:00+03:00")["reminders"] == 0
    assert worker(world, "2026-04-12T10:05:00+03:00")["reminders"] == 1
    assert worker(world, "2026-04-12T10:35:00+03:00")["reminders"] == 0
    assert worker(world, "2026-04-14T10:05:00+03:00")["reminders"] == 1

    # Two more months, paid on the last valid day; the confirmation is delivered twice.
    world.at("2026-04-14T21:00:00+03:00")
    payment = {
        "source_ref": "uin-0001",
        "occurred_at": "2026-04-14T20:45:00+03:00",
        "patent": {"series": "77", "number": "2600012345"},
        "amount_kopecks": 2 * 10_000 * 100,
    }
    first = world.event(key, **payment)
    again = world.event(key, **payment)
    assert first.status_code == again.status_code == 202, first.text
    assert first.json()["months_credited"] == 2 and first.json()["outcome"] == "credited"
    assert again.json() == {**first.json(), "duplicate": True}
    shown = world.cli("patent", "show", "--person", person, "--json")
    assert shown["valid_through"] == "2026-06-14"
    assert shown["lapses_at"] == "2026-06-15T00:00:00+03:00"
    assert (shown["status"], shown["months_paid"], len(shown["payments"])) == ("valid", 3, 1)
    assert shown["payments"][0]["amount_kopecks"] == 2_000_000

    # Nothing lapses at the old date; the lapse comes at 00:00 on 15 June and opens one review.
    assert worker(world, "2026-04-15T00:05:00+03:00")["lapsed"] == 0
    assert world.cli("case", "list", "--kind", "patent_lapsed", "--json") == []
    assert worker(world, "2026-06-15T00:01:00+03:00")["lapsed"] == 1
    assert worker(world, "2026-06-15T00:02:00+03:00")["lapsed"] == 0
    reviews = world.cli("case", "list", "--kind", "patent_lapsed", "--json")
    assert [(r["person_id"], r["status"]) for r in reviews] == [(person, "open")]
    assert world.cli("patent", "show", "--person", person, "--json")["status"] == "lapsed"
    # ... and nothing more: the person's record is untouched by the lapse.
    assert world.cli("registry", "list", "--json") == []

    # A payment made after the lapse is kept, flagged, and revives nothing.
    world.at("2026-06-15T11:00:00+03:00")
    late = world.event(
        key,
        source_ref="uin-0002",
        occurred_at="2026-06-15T10:30:00+03:00",
        payer_inn=INN,
        amount_kopecks=10_000 * 100,
    )
    assert late.status_code == 202, late.text
    assert late.json()["outcome"] == "flagged" and late.json()["flags"] == ["after_lapse"]
    shown = world.cli("patent", "show", "--person", person, "--json")
    assert (shown["status"], shown["valid_through"], len(shown["payments"])) == (
        "lapsed",
        "2026-06-14",
        2,
    )

    # The lapse day's notice; then every message went out once, by SMS, in Uzbek.
    assert worker(world, "2026-06-15T10:05:00+03:00")["reminders"] == 1
    assert worker(world, "2026-06-15T12:00:00+03:00")["reminders"] == 0
    texts = world.sms(PHONE)
    assert len(texts) == 4, texts
    assert all(t.startswith("Amina: patent") for t in texts), texts
    assert [t.split("qolgan kunlar: ")[-1][:1] for t in texts[:3]] == ["7", "3", "1"]
    assert "bugundan amal qilmaydi" in texts[3]


def test_quote_and_its_refusals(world: World) -> None:
    quote = world.cli("patent", "quote", "--region", "moscow", "--on", "2025-12-20",
                      "--months", "3", "--json")  # fmt: skip
    assert quote == {"monthly_amount": 8900, "amount": 26700, "year": 2025}
    oblast = world.cli("patent", "quote", "--region", "moscow_oblast", "--on", "2026-01-01",
                       "--months", "1", "--json")  # fmt: skip
    assert oblast == {"monthly_amount": 10000, "amount": 10000, "year": 2026}
    no_rate = world.cli("patent", "quote", "--region", "moscow", "--on", "2031-01-01",
                        "--months", "1", "--json", code=1)  # fmt: skip
    assert no_rate["error"]["code"] == "no_patent_rate"
    too_many = world.cli("patent", "quote", "--region", "moscow", "--on", "2026-01-01",
                         "--months", "13", "--json", code=1)  # fmt: skip
    assert too_many["error"]["code"] == "invalid_months"


def test_reissue_through_the_cli(world: World) -> None:
    world.at("2026-11-20T12:00:00+03:00")
    person = world.cli(
        "person", "add", "--surname", "Rahimova", "--given-names", "Nilufar",
        "--birth-date", "1998-07-03", "--citizenship", "TJ", "--passport", "400123456",
        "--phone", "+992900112233", "--purpose", "work", "--entry-date", "2025-10-01", "--json",
    )["person_id"]  # fmt: skip
    world.cli("patent", "issue", "--person", person, "--series", "77", "--number", "2500000001",
              "--issued-on", "2025-12-01", "--months", "12", "--inn", INN,
              "--region", "moscow_oblast", "--json")  # fmt: skip
    again = world.cli("patent", "issue", "--person", person, "--series", "77", "--number",
                      "2500000002", "--issued-on", "2026-11-01", "--months", "1", "--inn", INN,
                      "--json", code=1)  # fmt: skip
    assert again["error"]["code"] == "patent_exists"
    new = world.cli("patent", "reissue", "--person", person, "--series", "50",
                    "--number", "2600000001", "--months", "2", "--json")  # fmt: skip
    assert new["valid_through"] == "2027-01-31"  # from 1 Dec 2026
    shown = world.cli("patent", "show", "--person", person, "--json")
    assert (shown["series"], shown["number"], shown["region"]) == (
        "50",
        "2600000001",
        "moscow_oblast",
    )
    once = world.cli("patent", "reissue", "--person", person, "--series", "50",
                     "--number", "2600000002", "--months", "2", "--json", code=1)  # fmt: skip
    assert once["error"]["code"] == "already_reissued"
    missing = world.cli("patent", "show", "--person", "not-a-uuid", "--json", code=1)
    assert missing["error"]["code"] == "invalid_person_id"
