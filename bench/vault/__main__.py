"""`python -m bench.vault`: the cost of personal data at rest, per value (issue 9).

Encrypting (AES-256-GCM, a fresh nonce), decrypting, and computing the lookup hashes of one
phone number, and a sign-in style lookup of a card among N recorded people, on SQLite.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import timeit
from datetime import UTC, date, datetime
from pathlib import Path

from amina import vault
from amina.audit.service import Actor
from amina.db import Database
from amina.people import lookup
from amina.people import service as people
from amina.rules.eligibility import Purpose
from amina.schema import upgrade

PEOPLE = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
NOW = datetime(2026, 11, 20, 7, 0, tzinfo=UTC)


def per_call_us(fn: object, number: int = 20_000) -> float:
    runs = timeit.repeat(fn, number=number, repeat=5)  # type: ignore[arg-type]
    return min(runs) / number * 1e6


def main() -> None:
    keyring = vault.install(vault.Keyring([b"bench-secret-" + b"x7" * 24]))
    phone = "+998901234567"
    token = keyring.encrypt("phone", phone)
    print(f"encrypt one value   {per_call_us(lambda: keyring.encrypt('phone', phone)):6.1f} µs")
    print(f"decrypt one value   {per_call_us(lambda: keyring.decrypt('phone', token)):6.1f} µs")
    print(f"lookup hashes       {per_call_us(lambda: keyring.lookups('phone', phone)):6.1f} µs")
    with tempfile.TemporaryDirectory() as workdir:
        db = Database.connect(f"sqlite:///{Path(workdir) / 'bench.sqlite3'}")
        upgrade(db.engine)
        cards: list[str] = []
        with db.unit_of_work() as session:
            for n in range(PEOPLE):
                new = people.NewPerson(
                    surname=f"Bench{n}",
                    given_names="Seeded",
                    birth_date=date(1990, 1, 1),
                    citizenship="UZ",
                    passport_number=f"FB{n:07d}",
                    phone=f"+99891{n:07d}",
                    purpose=Purpose.WORK,
                    entry_date=date(2026, 9, 1),
                )
                person = people.add_person(session, now=NOW, actor=Actor("cli"), new=new)
                card = people.issue_card(
                    session, now=NOW, actor=Actor("cli"), person_id=person.id, number=None
                )
                cards.append(card.number)
        timings = []
        with db.unit_of_work(readonly=True) as session:
            for card_number in cards[:: max(1, PEOPLE // 500)]:
                started = timeit.default_timer()
                found = lookup.persons_by_card(session, card_number)
                timings.append((timeit.default_timer() - started) * 1000)
                assert len(found) == 1
        timings.sort()
        p99 = timings[int(len(timings) * 0.99) - 1]
        print(
            f"card lookup among {PEOPLE} people: median {statistics.median(timings):.2f} ms, "
            f"p99 {p99:.2f} ms ({len(timings)} lookups, indexed keyed hash)"
        )
        db.dispose()


if __name__ == "__main__":
    main()
