"""Issue 9, defect 9: a real `amina serve` log, after the whole journey, names routes by their
template and holds no card number, phone, token, coordinate or proof token."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.support.migrant import Migrant
from tests.support.server import LiveServer

pytestmark = pytest.mark.server

PHONE = "+992900445566"


def test_the_server_log_carries_no_personal_data(live_server: LiveServer) -> None:
    person_id = live_server.cli_json(
        "person",
        "add",
        "--surname",
        "Nazarova",
        "--given-names",
        "Madina",
        "--birth-date",
        "1996-02-14",
        "--citizenship",
        "TJ",
        "--passport",
        "400778899",
        "--phone",
        PHONE,
        "--purpose",
        "work",
        "--entry-date",
        "2026-10-02",
    )["person_id"]
    card = live_server.cli_json("card", "issue", "--person", person_id)["card_number"]

    def latest_sms(phone: str) -> str:
        return str(live_server.cli_json("sms", "list", "--phone", phone)[0]["text"])

    secrets: list[str] = [card, PHONE, PHONE[1:], "400778899", "1996-02-14", person_id]
    with httpx.Client(base_url=live_server.base_url, timeout=10) as http:
        migrant = Migrant(http, latest_sms=latest_sms, now=lambda: datetime.now(UTC), phone=PHONE)
        migrant.sign_in(card, "1996-02-14")
        assert migrant.access_token and migrant.refresh_token
        secrets += [migrant.access_token, migrant.refresh_token, str(migrant.device_id)]
        where = migrant.location(ago=timedelta(minutes=5))
        secrets += [str(where["lat"]), str(where["lon"])]
        assert migrant.register(where).status_code == 201
        reports = [migrant.location(ago=timedelta(minutes=m)) for m in (2, 1)]
        assert migrant.report(*reports).status_code == 200
        secrets += [str(r["lat"]) for r in reports]
        proof = migrant.get("/api/v1/me/proof").json()
        secrets.append(proof["token"])
        assert http.get(f"/verify/{proof['token']}").status_code == 200
        cursor = f"cursor-{uuid.uuid4().hex}"
        secrets.append(cursor)
        migrant.get("/api/v1/me/notifications", params={"after": cursor})
        unknown = f"/api/v1/me/notifications/{uuid.uuid4()}/read"
        http.post(unknown, headers=migrant.auth)
        secrets.append(unknown.split("/")[-2])
        migrant.refresh()
        secrets.append(str(migrant.refresh_token))
    live_server.stop()  # the listener flushes what it queued

    log = live_server.log()
    lines = [line for line in log.splitlines() if "amina.requests" in line]
    assert any("POST /api/v1/auth/challenges 202" in line for line in lines), log[-2000:]
    assert any("GET /verify/{token} 200" in line for line in lines)
    assert any("/api/v1/me/notifications/{notification_id}/read" in line for line in lines)
    assert all(re.search(r" \d{3} [\d.]+ms$", line) for line in lines)
    for secret in secrets:
        assert secret not in log, f"{secret!r} is in the server log"
    assert "?" not in "".join(lines)
    # uvicorn's own access log (full paths, query strings) is off
    assert '"GET /verify/' not in log and "uvicorn.access" not in log
