"""The http SMS backend, against a real local HTTP server standing in for the gateway."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.notifications.models import SmsMessage
from amina.notifications.sms import HttpSmsSender, SmsError
from tests.conftest import DEFAULT_NOW


class Gateway:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                gateway.requests.append({"headers": dict(self.headers), "body": json.loads(body)})
                payload = json.dumps({"id": f"msg-{len(gateway.requests)}"}).encode()
                self.send_response(gateway.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    server = Gateway()
    yield server
    server.close()


def test_sends_json_with_token_and_idempotency_key(gateway: Gateway, session: Session) -> None:
    sender = HttpSmsSender(gateway.url, "secret-token")
    reference = sender.send(
        session,
        now=DEFAULT_NOW,
        phone="+998901234567",
        text="Код Амины: 123456.",
        idempotency_key="otp:abc",
    )
    assert reference == "msg-1"
    (request,) = gateway.requests
    assert request["body"] == {"to": "+998901234567", "text": "Код Амины: 123456."}
    assert request["headers"]["Authorization"] == "Bearer secret-token"
    assert request["headers"]["Idempotency-Key"] == "otp:abc"
    kept = session.scalars(select(SmsMessage)).one()
    assert "123456" not in kept.text and kept.provider_ref == "msg-1"  # codes are redacted


def test_gateway_errors_raise_for_a_retry(gateway: Gateway, session: Session) -> None:
    gateway.status = 503
    with pytest.raises(SmsError, match="503"):
        HttpSmsSender(gateway.url, None).send(
            session, now=DEFAULT_NOW, phone="+998901234567", text="x", idempotency_key="k"
        )
    with pytest.raises(SmsError, match="unreachable"):
        HttpSmsSender("http://127.0.0.1:9/none", None, timeout_s=0.5).send(
            session, now=DEFAULT_NOW, phone="+998901234567", text="x", idempotency_key="k2"
        )
    assert session.scalars(select(SmsMessage)).all() == []
