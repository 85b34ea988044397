"""The intake lane (`web/fastlane.py`) answers exactly as the FastAPI routes behind it would."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Coroutine, MutableMapping
from typing import Any

import pytest
from fastapi.testclient import TestClient

from amina.auth.devices import b64url_encode
from amina.web.fastlane import AminaApp, _send_whole
from tests.conftest import Recorded
from tests.support.migrant import Migrant

SAME_HEADERS = (
    "content-type",
    "cache-control",
    "x-content-type-options",
    "referrer-policy",
    "x-frame-options",
    "permissions-policy",
    "www-authenticate",
    "retry-after",
)


def _app(client: TestClient) -> AminaApp:
    app = client.app
    assert isinstance(app, AminaApp)
    return app


def _both(client: TestClient, send: Any) -> tuple[Any, Any]:
    """The same request, through the lane, then through FastAPI's route (lanes off)."""
    app = _app(client)
    through_lane = send(None)
    lanes, app.lanes = app.lanes, {}
    try:
        through_stack = send(None)
    finally:
        app.lanes = lanes
    return through_lane, through_stack


def _same(lane: Any, stack: Any) -> None:
    assert lane.status_code == stack.status_code, (lane.text, stack.text)
    for name in SAME_HEADERS:
        assert lane.headers.get(name) == stack.headers.get(name), name
    assert lane.headers["content-length"] == str(len(lane.content))


def _body(migrant: Migrant, *reports: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
    body = json.dumps({"reports": list(reports)}).encode()
    return body, {
        **migrant.auth,
        "Content-Type": "application/json",
        "Amina-Signature": b64url_encode(migrant.key.sign(body)),
    }


def test_a_report_is_answered_alike(
    client: TestClient, registered: tuple[Recorded, Migrant]
) -> None:
    _, migrant = registered

    def send(_: object) -> Any:
        body, headers = _body(migrant, migrant.location())
        return client.post("/api/v1/me/locations", content=body, headers=headers)

    lane, stack = _both(client, send)
    _same(lane, stack)
    assert lane.status_code == 200
    one, two = lane.json(), stack.json()
    assert len(one["accepted"]) == len(two["accepted"]) == 1
    assert one["monitoring"] == two["monitoring"]
    assert set(one) == set(two) == {"accepted", "duplicates", "rejected", "monitoring"}


@pytest.mark.parametrize(
    "case",
    [
        "no_token",
        "bad_token",
        "bad_signature",
        "not_json",
        "wrong_shape",
        "control_character",
    ],
)
def test_refusals_are_answered_alike(
    client: TestClient, registered: tuple[Recorded, Migrant], case: str
) -> None:
    _, migrant = registered

    def send(_: object) -> Any:
        body, headers = _body(migrant, migrant.location())
        if case == "no_token":
            del headers["Authorization"]
        elif case == "bad_token":
            headers["Authorization"] = "Bearer not-a-token"
        elif case == "bad_signature":
            headers["Amina-Signature"] = "AAAA"
        elif case in {"not_json", "wrong_shape"}:
            body = b"{not json" if case == "not_json" else b'{"reports": [], "x": 1}'
            headers["Amina-Signature"] = b64url_encode(migrant.key.sign(body))
        elif case == "control_character":
            body, headers = _body(migrant, {**migrant.location(), "source": "gps\x00"})
        return client.post("/api/v1/me/locations", content=body, headers=headers)

    lane, stack = _both(client, send)
    _same(lane, stack)
    assert lane.json() == stack.json()
    assert lane.status_code in {200, 400, 401, 403, 422}


def test_owntracks_is_answered_alike(
    client: TestClient, registered: tuple[Recorded, Migrant]
) -> None:
    _, migrant = registered
    created = client.post("/api/v1/me/devices/owntracks", headers=migrant.auth)
    assert created.status_code == 201, created.text
    credentials = created.json()
    basic = base64.b64encode(
        f"{credentials['username']}:{credentials['password']}".encode()
    ).decode()

    tst = int(migrant.now().timestamp()) - 60

    def send(_: object) -> Any:
        body = {"_type": "location", "lat": 55.75, "lon": 37.61, "tst": tst}
        return client.post("/owntracks/pub", json=body, headers={"Authorization": f"Basic {basic}"})

    lane, stack = _both(client, send)
    _same(lane, stack)
    assert lane.content == stack.content == b"[]"

    def wrong(_: object) -> Any:
        return client.post("/owntracks/pub", json={}, headers={"Authorization": "Basic eDp5"})

    lane, stack = _both(client, wrong)
    _same(lane, stack)
    assert lane.status_code == 401 and lane.json() == stack.json()


def test_a_body_over_the_cap_is_refused_before_any_work(
    client: TestClient, registered: tuple[Recorded, Migrant]
) -> None:
    _, migrant = registered
    big = b'{"reports": [' + b" " * 1_100_000 + b"]}"
    declared = client.post("/api/v1/me/locations", content=big, headers=migrant.auth)
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "request_too_large"

    def chunks() -> Any:
        for _ in range(12):
            yield b" " * 100_000

    streamed = client.post("/api/v1/me/locations", content=chunks(), headers=migrant.auth)
    assert streamed.status_code == 413
    assert streamed.json()["error"]["code"] == "request_too_large"


def test_other_methods_and_paths_go_to_fastapi(client: TestClient) -> None:
    assert client.get("/api/v1/me/locations").status_code == 405
    trailing = client.post("/api/v1/me/locations/", follow_redirects=False)
    assert trailing.status_code == 307  # FastAPI's redirect to the lane's path
    assert client.get("/owntracks/pub").status_code == 405


def test_an_unexpected_error_is_a_logged_generic_500(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    app = _app(client)

    async def broken(*_: object) -> bytes:
        raise RuntimeError("a bug")

    lanes, app.lanes = app.lanes, {**app.lanes, "/owntracks/pub": broken}
    try:
        with caplog.at_level(logging.ERROR, logger="amina.web"):
            answer = client.post("/owntracks/pub", content=b"{}")
    finally:
        app.lanes = lanes
    assert answer.status_code == 500
    assert answer.json() == {
        "error": {"code": "internal_error", "message": "something went wrong on our side"}
    }
    assert answer.headers["cache-control"] == "no-store"
    assert any("unhandled error in POST /owntracks/pub" in r.message for r in caplog.records)


def test_each_answer_is_in_the_request_log(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="amina.requests"):
        client.post("/owntracks/pub", content=b"{}")
    lines = [r.getMessage() for r in caplog.records if r.name == "amina.requests"]
    assert any(line.startswith("POST /owntracks/pub 401 ") for line in lines), lines


class _Transport:
    def __init__(self) -> None:
        self.events: list[bytes | str] = []

    def write(self, data: bytes) -> None:
        self.events.append(data)

    def close(self) -> None:
        self.events.append("closed")

    def get_extra_info(self, name: str) -> str:
        return f"extra {name}"


class _Cycle:
    """uvicorn's request cycle as `_send_whole` sees it: `send` is its bound method, and it
    writes each message to `self.transport` (and closes it after the body when asked to)."""

    def __init__(self, *, close: bool = False) -> None:
        self.transport: Any = _Transport()
        self.close = close
        self.peer = ""

    async def send(self, message: MutableMapping[str, Any]) -> None:
        self.peer = self.transport.get_extra_info("peername")  # other attributes pass through
        self.transport.write(message["type"].encode())
        if message["type"] == "http.response.body" and self.close:
            self.transport.close()


def _complete(coroutine: Coroutine[Any, Any, None]) -> None:
    """Run a coroutine that never suspends (it awaits only the stand-ins above) to its end,
    without an event loop: the suite's browser tests leave one running in this thread."""
    with pytest.raises(StopIteration):
        coroutine.send(None)


START = {"type": "http.response.start", "status": 200, "headers": []}
BODY = {"type": "http.response.body", "body": b"{}"}


def test_an_answer_goes_to_the_socket_in_one_write() -> None:
    cycle = _Cycle()
    transport = cycle.transport
    _complete(_send_whole(cycle.send, START, BODY))
    assert transport.events == [b"http.response.starthttp.response.body"]
    assert cycle.transport is transport  # given back
    assert cycle.peer == "extra peername"


def test_an_answer_that_closes_the_connection_is_written_first() -> None:
    cycle = _Cycle(close=True)
    transport = cycle.transport
    _complete(_send_whole(cycle.send, START, BODY))
    assert transport.events == [b"http.response.starthttp.response.body", "closed"]


def test_another_servers_send_gets_the_two_messages() -> None:
    sent: list[MutableMapping[str, Any]] = []

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    _complete(_send_whole(send, START, BODY))
    assert sent == [START, BODY]
