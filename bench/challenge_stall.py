"""Report intake while anonymous sign-in requests are refused (issue 9, defect 3).

`python -m bench.challenge_stall [--attackers 12] [--reports 100] [--database-url URL]`

Starts `amina serve` on a fresh database (SQLite by default), signs one person in and registers
them, then times signed report posts alone, and again while `--attackers` threads send
challenges that the per-IP cap refuses (429) as fast as they are answered. Prints p50/p99.
Before the fix each refused challenge held the write transaction through the 350 ms answer floor.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import httpx
from tests.support.migrant import Migrant
from tests.support.server import LiveServer


def _percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return {"p50_ms": round(statistics.median(ordered) * 1000, 1), "p99_ms": round(p99 * 1000, 1)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.challenge_stall")
    parser.add_argument("--attackers", type=int, default=12)
    parser.add_argument("--reports", type=int, default=100)
    parser.add_argument("--database-url", default=None)
    options = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="amina-stall-"))
    url = options.database_url or f"sqlite:///{workdir / 'amina.sqlite3'}"
    server = LiveServer(
        url,
        workdir / "data",
        extra_env={"AMINA_CHALLENGE_RESPONSE_FLOOR_S": "0.35", "AMINA_SENDS_PER_IP_PER_HOUR": "3"},
    )
    server.data_dir.mkdir(parents=True, exist_ok=True)
    server.cli("migrate")
    server.start()
    try:
        person = server.cli_json(
            "person", "add", "--surname", "Bench", "--given-names", "Stall",
            "--birth-date", "1990-02-03", "--citizenship", "UZ", "--passport", "FB0000001",
            "--phone", "+998900000001", "--purpose", "work", "--entry-date", "2026-09-01",
        )["person_id"]  # fmt: skip
        card = server.cli_json("card", "issue", "--person", person)["card_number"]
        with httpx.Client(base_url=server.base_url, timeout=120) as http:
            phone = Migrant(
                http,
                latest_sms=lambda p: server.cli_json("sms", "list", "--phone", p)[0]["text"],
                now=lambda: datetime.now(UTC),
                phone="+998900000001",
            )
            phone.sign_in(card, "1990-02-03")
            assert phone.register().status_code == 201

            def reports() -> list[float]:
                taken = []
                for _ in range(options.reports):
                    started = time.perf_counter()
                    assert phone.report(phone.location()).status_code == 200
                    taken.append(time.perf_counter() - started)
                return taken

            alone = reports()
            stop, answers = threading.Event(), Counter[int]()

            def attacker() -> None:
                body = {"method": "card", "card_number": "770000000000", "birth_date": "1990-01-01"}
                with httpx.Client(base_url=server.base_url, timeout=120) as own:
                    while not stop.is_set():
                        answers[own.post("/api/v1/auth/challenges", json=body).status_code] += 1

            threads = [threading.Thread(target=attacker) for _ in range(options.attackers)]
            for thread in threads:
                thread.start()
            time.sleep(1.0)
            loaded = reports()
            stop.set()
            for thread in threads:
                thread.join()
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "database": url.split(":", 1)[0],
                "attackers": options.attackers,
                "alone": _percentiles(alone),
                "under_refused_challenges": _percentiles(loaded),
                "challenge_answers": dict(answers),
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
