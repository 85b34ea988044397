"""Appointments end to end, through the API and the CLI of real processes (issue 12, "Done
when"): a booking, its reminder, an arrival that moves the person's last monitoring, and a
no-show for another person. The worker and the CLI run with AMINA_NOW at the moments that
matter; the server's own clock starts on Friday 20 November 2026, 10:00 Moscow time."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.support.migrant import Migrant
from tests.support.server import AMINA, LiveServer

pytestmark = [pytest.mark.server, pytest.mark.slow]
FRIDAY_10 = "2026-11-20T10:00:00+03:00"
MONDAY_9 = "2026-11-23T09:00:00+03:00"


def cli_at(server: LiveServer, now: str, *args: str) -> Any:
    result = subprocess.run(
        [AMINA, *args, "--json"],
        env={**server.env, "AMINA_NOW": now},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout)


def add_person(server: LiveServer, passport: str, phone: str) -> tuple[str, str]:
    person_id = server.cli_json(
        "person",
        "add",
        "--surname",
        "Test",
        "--given-names",
        "Booking",
        "--birth-date",
        "1994-03-02",
        "--citizenship",
        "UZ",
        "--passport",
        passport,
        "--phone",
        phone,
        "--purpose",
        "work",
        "--entry-date",
        "2026-10-01",
    )["person_id"]
    card = server.cli_json("card", "issue", "--person", person_id)["card_number"]
    return person_id, card


@pytest.mark.server_env(AMINA_NOW=FRIDAY_10)
def test_booking_reminder_arrival_and_no_show(live_server: LiveServer) -> None:
    def latest_sms(phone: str) -> str:
        return str(live_server.cli_json("sms", "list", "--phone", phone)[0]["text"])

    people = {
        "aziz": (*add_person(live_server, "FA7000001", "+998907000001"), "+998907000001"),
        "nilufar": (*add_person(live_server, "FA7000002", "+998907000002"), "+998907000002"),
    }
    bookings: dict[str, dict[str, Any]] = {}
    phones: dict[str, Migrant] = {}
    with httpx.Client(base_url=live_server.base_url, timeout=20) as http:
        for name, service in (("aziz", "card_issue"), ("nilufar", "medical_exam")):
            _, card, phone = people[name]
            migrant = Migrant(
                http,
                latest_sms=latest_sms,
                now=lambda: datetime.fromisoformat(FRIDAY_10),
                phone=phone,
            )
            migrant.sign_in(card, "1994-03-02")
            assert migrant.register().status_code == 201
            created = http.post(
                "/api/v1/me/bookings",
                json={"service": service, "slot_start": MONDAY_9},
                headers=migrant.auth,
            )
            assert created.status_code == 201, created.text
            bookings[name], phones[name] = created.json(), migrant

        # Sunday 18:00: the day-before reminder, once, by SMS too.
        first = cli_at(live_server, "2026-11-22T18:00:30+03:00", "worker", "--once")
        assert first["bookings"]["reminder_day_before"] == 2
        again = cli_at(live_server, "2026-11-22T18:05:00+03:00", "worker", "--once")
        assert again["bookings"].get("reminder_day_before", 0) == 0
        texts = [
            m["text"] for m in live_server.cli_json("sms", "list", "--phone", people["aziz"][2])
        ]
        assert sum("ММЦ" in t and "23" in t for t in texts) == 1, texts

        # Monday 08:55: Aziz's ticket is scanned; it counts as an in-person check-in.
        arrived = cli_at(
            live_server,
            "2026-11-23T08:55:00+03:00",
            "booking",
            "arrive",
            "--booking",
            bookings["aziz"]["id"],
        )
        assert arrived["status"] == "arrived"
        shown = live_server.cli_json("person", "show", "--person", people["aziz"][0])
        last = datetime.fromisoformat(shown["monitoring"]["last_monitoring_at"])
        assert datetime.fromisoformat("2026-11-23T08:55:00+03:00") <= last
        assert last < datetime.fromisoformat(MONDAY_9)

        # 09:30: nobody came for Nilufar's booking.
        later = cli_at(live_server, "2026-11-23T09:30:05+03:00", "worker", "--once")
        assert later["bookings"]["no_show"] == 1
        statuses = {
            name: phones[name].get("/api/v1/me/bookings").json()["items"][0]["status"]
            for name in phones
        }
    assert statuses == {"aziz": "arrived", "nilufar": "no_show"}
    day = live_server.cli_json("booking", "list", "--date", "2026-11-23")
    assert sorted(row["status"] for row in day) == ["arrived", "no_show"]
