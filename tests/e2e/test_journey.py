"""The whole journey over HTTP against a real `amina serve` (issue 3), on whichever database
the suite runs on: person add → card issue → challenge → code from `amina sms list` → session
→ registration → residence → reports → /me."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.migrant import Migrant
from tests.support.server import LiveServer

pytestmark = pytest.mark.server


def test_whole_journey(live_server: LiveServer) -> None:
    person_id = live_server.cli_json(
        "person",
        "add",
        "--surname",
        "Rahimova",
        "--given-names",
        "Nilufar",
        "--birth-date",
        "1998-07-03",
        "--citizenship",
        "TJ",
        "--passport",
        "400123456",
        "--phone",
        "+992900112233",
        "--purpose",
        "work",
        "--entry-date",
        "2026-10-02",
    )["person_id"]
    card = live_server.cli_json("card", "issue", "--person", person_id)["card_number"]

    def latest_sms(phone: str) -> str:
        messages = live_server.cli_json("sms", "list", "--phone", phone)
        return str(messages[0]["text"])

    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        migrant = Migrant(
            http, latest_sms=latest_sms, now=lambda: datetime.now(UTC), phone="+992900112233"
        )
        tokens = migrant.sign_in(card, "1998-07-03")
        assert tokens["person_id"] == person_id

        registered = migrant.register(migrant.location(ago=timedelta(minutes=5)))
        assert registered.status_code == 201, registered.text
        residence = migrant.declare_residence(
            address="г. Москва, ул. Тверская, д. 1, кв. 2",
            accommodation="private",
            moved_in_on=datetime.now(UTC).date().isoformat(),
        )
        assert residence.status_code == 200, residence.text

        batch = [migrant.location(ago=timedelta(minutes=m)) for m in (3, 2, 1)]
        reported = migrant.report(*batch)
        assert reported.status_code == 200
        assert sorted(reported.json()["accepted"]) == sorted(r["id"] for r in batch)

        me = migrant.me()
    assert me["registration"]["status"] == "active"
    assert me["residence"]["address"] == "г. Москва, ул. Тверская, д. 1, кв. 2"
    last = me["monitoring"]["last_monitoring_at"]
    assert datetime.fromisoformat(last) == datetime.fromisoformat(batch[-1]["recorded_at"])
    # The deadlines are the calendar's, exactly as `amina rules deadlines` computes them.
    expected = live_server.cli_json("rules", "deadlines", "--last-monitoring", last)
    for step in ("reminder_at", "final_warning_at", "deregistration_at"):
        assert me["monitoring"][step] == expected[step]
    shown = live_server.cli_json("person", "show", "--card", card)
    assert shown["monitoring"] == me["monitoring"] and shown["person_id"] == person_id
