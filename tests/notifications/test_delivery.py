"""Delivering the outbox (issue 4): exactly once, retries with backoff, status recorded; Web Push
against a real local push endpoint, decrypted with the subscriber's keys."""

from __future__ import annotations

import base64
import json
import os
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.clock import FixedClock
from amina.context import AppContext
from amina.notifications.delivery import deliver_due
from amina.notifications.models import Delivery, PushMessage, PushSubscription, SmsMessage
from amina.notifications.push import LogPushSender, WebPushSender
from amina.notifications.service import notify
from amina.notifications.sms import HttpSmsSender, LogSmsSender
from amina.notifications.subscriptions import subscribe
from amina.notifications.vapid import vapid_keys
from amina.rules.lifecycle import DeliveryStatus
from tests.conftest import Recorded
from tests.notifications.test_sms_http import Gateway

PARAMS = {"last_monitoring_on": "2026-11-16", "deregistration_at": "2026-11-20T00:00:00+03:00"}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


class PushService:
    """A local stand-in for a browser vendor's push service: it keeps what arrives."""

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []
        self.status = 201
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                service.received.append(
                    {
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                self.send_response(service.status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_port}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def push_service() -> Iterator[PushService]:
    service = PushService()
    yield service
    service.server.shutdown()
    service.server.server_close()


def queue(session: Session, person: Recorded, clock: FixedClock, kind: str = "reminder") -> None:
    notify(
        session, now=clock.now(), person_id=person.person_id, kind=kind, window="w", params=PARAMS
    )


def test_sms_goes_out_exactly_once(context: AppContext, add_person: Any, clock: FixedClock) -> None:
    person = add_person()
    with context.db.unit_of_work() as session:
        queue(session, person, clock)
    for _ in range(3):  # later runs find nothing left to do
        deliver_due(
            context.db,
            now=clock.now,
            settings=context.settings,
            sms=LogSmsSender(),
            push=LogPushSender(),
        )
    with context.db.unit_of_work(readonly=True) as session:
        texts = session.scalars(
            select(SmsMessage.text).where(SmsMessage.phone == person.phone)
        ).all()
        statuses = {d.channel.value: d.status for d in session.scalars(select(Delivery))}
    assert len(texts) == 1 and "Амина" in texts[0] and "16 ноября" in texts[0]
    assert statuses == {"sms": DeliveryStatus.SENT}  # no push subscription: no push to send


def test_failures_are_retried_with_backoff_then_given_up(
    context: AppContext, add_person: Any, clock: FixedClock
) -> None:
    person = add_person()
    gateway = Gateway()
    gateway.status = 503
    sms = HttpSmsSender(gateway.url, None)
    try:
        with context.db.unit_of_work() as session:
            queue(session, person, clock)
        deliver_due(
            context.db, now=clock.now, settings=context.settings, sms=sms, push=LogPushSender()
        )
        with context.db.unit_of_work(readonly=True) as session:
            failed = session.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
            assert failed.status == DeliveryStatus.PENDING and failed.attempts == 1
            assert failed.last_error == "gateway answered 503"
            assert failed.next_attempt_at == clock.now() + timedelta(seconds=30)
        # Not before the backoff has passed.
        deliver_due(
            context.db, now=clock.now, settings=context.settings, sms=sms, push=LogPushSender()
        )
        assert len(gateway.requests) == 1
        clock.advance(timedelta(seconds=30))
        gateway.status = 200
        deliver_due(
            context.db, now=clock.now, settings=context.settings, sms=sms, push=LogPushSender()
        )
        with context.db.unit_of_work(readonly=True) as session:
            sent = session.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
        assert sent.status == DeliveryStatus.SENT and sent.attempts == 2
        # Both tries carried the same idempotency key: the gateway can tell a resend.
        keys = {r["headers"]["Idempotency-Key"] for r in gateway.requests}
        assert keys == {f"delivery:{sent.id}"}
    finally:
        gateway.close()


@pytest.mark.settings(delivery_max_attempts=2, delivery_base_backoff_s=1)
def test_a_delivery_that_keeps_failing_is_marked_failed(
    context: AppContext, add_person: Any, clock: FixedClock
) -> None:
    person = add_person()
    gateway = Gateway()
    gateway.status = 500
    try:
        with context.db.unit_of_work() as session:
            queue(session, person, clock)
        for _ in range(4):
            deliver_due(
                context.db,
                now=clock.now,
                settings=context.settings,
                sms=HttpSmsSender(gateway.url, None),
                push=LogPushSender(),
            )
            clock.advance(timedelta(minutes=1))
        with context.db.unit_of_work(readonly=True) as session:
            failed = session.scalars(select(Delivery).where(Delivery.channel == "sms")).one()
        assert failed.status == DeliveryStatus.FAILED and len(gateway.requests) == 2
    finally:
        gateway.close()


def test_a_delivery_left_mid_send_is_taken_over_after_its_lease(
    context: AppContext, add_person: Any, clock: FixedClock
) -> None:
    from amina.notifications.delivery import claim

    person = add_person()
    with context.db.unit_of_work() as session:
        queue(session, person, clock)
    with context.db.unit_of_work() as session:  # a worker claims, then dies before sending
        assert len(claim(session, now=clock.now(), limit=10)) == 1
    deliver_due(
        context.db,
        now=clock.now,
        settings=context.settings,
        sms=LogSmsSender(),
        push=LogPushSender(),
    )
    with context.db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(SmsMessage)).all() == []  # still leased to the dead one
    clock.advance(timedelta(minutes=3))
    deliver_due(
        context.db,
        now=clock.now,
        settings=context.settings,
        sms=LogSmsSender(),
        push=LogPushSender(),
    )
    with context.db.unit_of_work(readonly=True) as session:
        assert len(session.scalars(select(SmsMessage)).all()) == 1


def test_web_push_is_encrypted_signed_and_deduplicated_by_topic(
    context: AppContext, add_person: Any, clock: FixedClock, push_service: PushService
) -> None:
    person = add_person(language="en")
    receiver = ec.generate_private_key(ec.SECP256R1())
    point = receiver.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    auth = os.urandom(16)
    with context.db.unit_of_work() as session:
        subscribe(
            session,
            now=clock.now(),
            person_id=person.person_id,
            device_id=None,
            endpoint=f"{push_service.base}/push/abc",
            p256dh=b64url(point),
            auth=b64url(auth),
            allow_local_http=True,
        )
        queue(session, person, clock)
        keys = vapid_keys(session, now=clock.now())
    sender = WebPushSender(keys.private_pem, "mailto:ops@amina.example")
    deliver_due(
        context.db, now=clock.now, settings=context.settings, sms=LogSmsSender(), push=sender
    )
    (request,) = push_service.received
    headers = request["headers"]
    assert headers["content-encoding"] == "aes128gcm"
    assert headers["authorization"].startswith("vapid t=")
    assert keys.public_key in headers["authorization"]
    assert headers["ttl"] == "86400" and len(headers["topic"]) == 32
    plain = http_ece.decrypt(
        request["body"], private_key=receiver, auth_secret=auth, version="aes128gcm"
    )
    payload = json.loads(plain)
    assert payload["title"] == "Open Amina to confirm your location"
    assert "Monday 16 November" in payload["body"]
    with context.db.unit_of_work(readonly=True) as session:
        kept = session.scalars(select(PushMessage)).one()
        assert kept.backend == "webpush" and kept.status_code == 201


def test_a_gone_subscription_is_revoked(
    context: AppContext, add_person: Any, clock: FixedClock, push_service: PushService
) -> None:
    person = add_person()
    push_service.status = 410
    receiver = ec.generate_private_key(ec.SECP256R1())
    point = receiver.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    with context.db.unit_of_work() as session:
        subscribe(
            session,
            now=clock.now(),
            person_id=person.person_id,
            device_id=None,
            endpoint=f"{push_service.base}/push/gone",
            p256dh=b64url(point),
            auth=b64url(os.urandom(16)),
            allow_local_http=True,
        )
        queue(session, person, clock, kind="location_off")
        keys = vapid_keys(session, now=clock.now())
    deliver_due(
        context.db,
        now=clock.now,
        settings=context.settings,
        sms=LogSmsSender(),
        push=WebPushSender(keys.private_pem, "mailto:ops@amina.example"),
    )
    with context.db.unit_of_work(readonly=True) as session:
        assert session.scalars(select(PushSubscription)).one().revoked_at is not None
        assert session.scalars(select(Delivery)).one().status == DeliveryStatus.SKIPPED
