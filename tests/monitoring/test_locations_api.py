"""POST /me/locations (issue 3): signatures, validation, idempotency, classification."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select

from amina.auth.devices import b64url_encode
from amina.clock import FixedClock
from amina.db import Database
from amina.monitoring.models import LocationReport
from amina.notifications.models import Notification
from tests.conftest import Recorded
from tests.support.migrant import Migrant

Registered = tuple[Recorded, Migrant]


def stored(db: Database, **where: object) -> list[LocationReport]:
    with db.unit_of_work(readonly=True) as session:
        query = select(LocationReport)
        for name, value in where.items():
            query = query.where(getattr(LocationReport, name) == value)
        return list(session.scalars(query))


def test_a_report_moves_the_last_monitoring_instant(registered: Registered) -> None:
    _, migrant = registered
    report = migrant.location(ago=timedelta(minutes=-1))
    response = migrant.report(report)
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == [report["id"]]
    assert body["duplicates"] == [] and body["rejected"] == []
    assert body["monitoring"]["last_monitoring_at"] is not None
    me = migrant.me()
    assert me["monitoring"] == body["monitoring"]
    assert me["monitoring"]["deregistration_at"] is not None


def test_a_resend_is_a_duplicate_and_never_counted_twice(
    registered: Registered, db: Database
) -> None:
    _, migrant = registered
    batch = [migrant.location(ago=timedelta(minutes=m)) for m in range(3)]
    assert sorted(migrant.report(*batch).json()["accepted"]) == sorted(r["id"] for r in batch)
    again = migrant.report(*batch).json()
    assert again["accepted"] == [] and sorted(again["duplicates"]) == sorted(r["id"] for r in batch)
    twice_in_one = migrant.report(batch[0], batch[0]).json()
    assert twice_in_one["duplicates"] == [batch[0]["id"]] * 2
    assert len(stored(db, client_id=uuid.UUID(batch[0]["id"]))) == 1


def test_a_used_id_at_another_instant_is_a_report_of_its_own(
    registered: Registered, db: Database
) -> None:
    """The dedupe key is (device, id, recorded_at), so that it can hold the partition key on
    PostgreSQL (docs/performance.md): a resend carries the same signed instant; the same id at
    another instant is another report, by the device's own signed word."""
    _, migrant = registered
    first = migrant.location(ago=timedelta(minutes=10))
    other = {**migrant.location(), "id": first["id"]}
    assert migrant.report(first).json()["accepted"] == [first["id"]]
    assert migrant.report(other).json()["accepted"] == [first["id"]]
    assert migrant.report(other).json()["duplicates"] == [first["id"]]
    assert len(stored(db, client_id=uuid.UUID(first["id"]))) == 2


def test_one_bad_report_does_not_sink_the_batch(registered: Registered) -> None:
    _, migrant = registered
    good = migrant.location()
    bad = [
        migrant.location(lat=91.0),
        migrant.location(lon=-181.0),
        migrant.location(accuracy_m=0),
        migrant.location(lat=55.0, lon=None),
        {**migrant.location(), "id": "not-a-uuid"},
        {**migrant.location(), "recorded_at": "2026-11-20T10:00:00"},  # no offset
        {**migrant.location(), "source": "telepathy"},
        "not even an object",
    ]
    body = migrant.report(good, *bad).json()
    assert body["accepted"] == [good["id"]]
    assert len(body["rejected"]) == len(bad)
    assert {r["code"] for r in body["rejected"]} == {"invalid_report"}
    assert body["rejected"][0]["id"] == bad[0]["id"]


def test_recorded_at_rules(registered: Registered, clock: FixedClock) -> None:
    _, migrant = registered
    skew_ok = migrant.location(ago=timedelta(minutes=-5))
    future = migrant.location(ago=timedelta(minutes=-5, seconds=-1))
    oldest_ok = migrant.location(ago=timedelta(days=30))
    too_old = migrant.location(ago=timedelta(days=30, seconds=1))
    body = migrant.report(skew_ok, future, oldest_ok, too_old).json()
    assert sorted(body["accepted"]) == sorted([skew_ok["id"], oldest_ok["id"]])
    codes = {r["id"]: r["code"] for r in body["rejected"]}
    assert codes == {future["id"]: "recorded_in_future", too_old["id"]: "too_old"}


def test_an_older_report_is_stored_but_moves_nothing(registered: Registered, db: Database) -> None:
    _, migrant = registered
    latest = migrant.location(ago=timedelta(minutes=-1))
    migrant.report(latest)
    before = migrant.me()["monitoring"]
    older = migrant.location(ago=timedelta(hours=3))
    assert migrant.report(older).json()["accepted"] == [older["id"]]
    assert migrant.me()["monitoring"] == before
    (row,) = stored(db, client_id=uuid.UUID(older["id"]))
    assert row.counted is False


def test_heartbeats_are_stored_marked_and_trigger_a_location_notice(
    registered: Registered, db: Database
) -> None:
    person, migrant = registered
    before = migrant.me()["monitoring"]["last_monitoring_at"]
    heartbeat = migrant.location(lat=None, lon=None, ago=timedelta(minutes=-1))
    assert migrant.report(heartbeat).json()["accepted"] == [heartbeat["id"]]
    assert migrant.me()["monitoring"]["last_monitoring_at"] == before  # not monitoring
    (row,) = stored(db, client_id=uuid.UUID(heartbeat["id"]))
    assert row.heartbeat and row.placement is None
    migrant.report(migrant.location(lat=None, lon=None))
    with db.unit_of_work(readonly=True) as session:
        notices = session.scalar(
            select(func.count())
            .select_from(Notification)
            .where(Notification.person_id == person.person_id, Notification.kind == "location_off")
        )
    assert notices == 1  # at once, and once a day


def test_reports_are_classified_and_flagged(registered: Registered, db: Database) -> None:
    _, migrant = registered
    inside = migrant.location(lat=55.7558, lon=37.6173, ago=timedelta(hours=3))
    outside = migrant.location(lat=54.19, lon=37.62, ago=timedelta(hours=2))  # Tula, by car
    jump = migrant.location(lat=43.12, lon=131.89, ago=timedelta(hours=1))  # Vladivostok?
    mock = migrant.location(mock=True, ago=timedelta(minutes=5))
    migrant.report(inside, outside, jump, mock)
    by_id = {str(r.client_id): r for r in stored(db)}
    assert by_id[inside["id"]].placement == "inside"
    assert by_id[outside["id"]].placement == "outside"
    assert by_id[jump["id"]].impossible_speed and not by_id[outside["id"]].impossible_speed
    assert by_id[mock["id"]].mock
    # A newer report from outside still counts as monitoring (rules.md §4).
    later_outside = migrant.location(lat=54.19, lon=37.62, ago=timedelta(minutes=-2))
    migrant.report(later_outside)
    (row,) = stored(db, client_id=uuid.UUID(later_outside["id"]))
    assert row.placement == "outside" and row.counted


def test_a_batch_holds_at_most_500(registered: Registered) -> None:
    _, migrant = registered
    full = [migrant.location(ago=timedelta(seconds=s)) for s in range(500)]
    assert len(migrant.report(*full).json()["accepted"]) == 500
    too_many = [migrant.location() for _ in range(501)]
    assert migrant.report(*too_many).status_code == 422


def test_the_body_must_be_signed_by_this_device(registered: Registered) -> None:
    _, migrant = registered
    report = migrant.location()
    missing = migrant.report(report, signature="")
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "signature_required"
    other_key = migrant.report(report, signer=Ed25519PrivateKey.generate())
    assert other_key.status_code == 401
    assert other_key.json()["error"]["code"] == "invalid_signature"
    assert migrant.report(report, signature="!!!").status_code == 401
    assert migrant.report(report).status_code == 200


def test_a_tampered_body_fails_its_signature(registered: Registered) -> None:
    _, migrant = registered
    body = json.dumps({"reports": [migrant.location()]}).encode()
    signature = b64url_encode(migrant.key.sign(body))
    tampered = body.replace(b"55.752", b"55.999")
    response = migrant.http.post(
        "/api/v1/me/locations",
        content=tampered,
        headers={**migrant.auth, "Content-Type": "application/json", "Amina-Signature": signature},
    )
    assert response.status_code == 401


def test_a_body_not_signed_by_this_device_is_refused_before_its_contents(
    registered: Registered, db: Database
) -> None:
    """The Ed25519 check runs on the writer's thread, after the body is parsed on the event
    loop; a body that is not the device's is still refused as such, whatever it holds."""
    _, migrant = registered
    before = len(stored(db)), migrant.me()["monitoring"]
    other = Ed25519PrivateKey.generate()
    for body in (
        b"{not json",
        json.dumps({"reports": "many"}).encode(),
        json.dumps({"reports": [migrant.location() for _ in range(501)]}).encode(),
        json.dumps({"reports": [migrant.location()]}).encode(),
    ):
        response = migrant.http.post(
            "/api/v1/me/locations",
            content=body,
            headers={
                **migrant.auth,
                "Content-Type": "application/json",
                "Amina-Signature": b64url_encode(other.sign(body)),
            },
        )
        assert response.status_code == 401, body[:40]
        assert response.json()["error"]["code"] == "invalid_signature"
    assert (len(stored(db)), migrant.me()["monitoring"]) == before  # nothing was stored
    signed_but_malformed = migrant.http.post(
        "/api/v1/me/locations",
        content=b"{not json",
        headers={
            **migrant.auth,
            "Content-Type": "application/json",
            "Amina-Signature": b64url_encode(migrant.key.sign(b"{not json")),
        },
    )
    assert signed_but_malformed.status_code == 400


def test_reports_before_registration_are_kept(signed_in: Registered) -> None:
    _, migrant = signed_in
    response = migrant.report(migrant.location())
    assert response.status_code == 200
    monitoring = response.json()["monitoring"]
    assert monitoring["last_monitoring_at"] is not None
    assert monitoring["deregistration_at"] is None  # nothing to lose before registering
