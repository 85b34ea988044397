"""The report-intake lane: the two hot routes served below FastAPI's stack.

`POST /api/v1/me/locations` and `POST /owntracks/pub` carry nearly all of the traffic (every
phone, every 15 minutes). Through Starlette and FastAPI each request paid for three layers of
middleware, routing over every route, dependency solving and a `Request` object: about 30 % of
a signed report's CPU (docs/performance.md). `AminaApp` answers exactly these two
(method, path) pairs itself, with the same route functions (`take_reports`, `take_message`),
and hands every other request, and every other method on these paths, to FastAPI.

What the stack did for these routes is done here too, the same way:
- a body over `max_body_bytes` is refused with 413 (declared or counted), before any work;
- a `DomainError` becomes its status, body and headers through `web/errors.py`'s one mapping;
  anything else is logged with its traceback and answered with the generic 500;
- the security headers and `Cache-Control: no-store` of every API answer (`middleware.py`);
- one request-log line by route template, as `SafetyMiddleware` writes it.
The routes stay registered with FastAPI, so the OpenAPI document describes them as before.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

import orjson
from fastapi import FastAPI
from starlette.types import Message, Receive, Scope, Send

from amina.errors import DomainError
from amina.web.errors import domain_error_parts, error_body
from amina.web.middleware import API_HEADERS

log = logging.getLogger("amina.requests")
errors_log = logging.getLogger("amina.web")

Handler = Callable[[Any, Mapping[str, str], bytes], Awaitable[bytes]]


class _TooLarge(Exception):
    pass


class _Disconnected(Exception):
    pass


class AminaApp(FastAPI):
    """FastAPI, with a lane in front for the (POST, path) pairs in `lanes`."""

    lanes: dict[str, Handler]
    lane_headers: list[tuple[bytes, bytes]]
    lane_max_body: int

    def add_lanes(
        self,
        lanes: Mapping[str, Handler],
        *,
        always: list[tuple[bytes, bytes]],
        max_body_bytes: int,
    ) -> None:
        self.lanes = dict(lanes)
        self.lane_headers = [(b"content-type", b"application/json"), *always, *API_HEADERS]
        self.lane_max_body = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            handler = getattr(self, "lanes", {}).get(scope["path"])
            if handler is not None:
                await self._lane(handler, scope, receive, send)
                return
        await super().__call__(scope, receive, send)

    async def _lane(self, handler: Handler, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.perf_counter()
        headers: dict[str, str] = {}
        for name, value in scope["headers"]:  # the first of each name, as Starlette's .get
            key = name.decode("latin-1")
            if key not in headers:
                headers[key] = value.decode("latin-1")
        extra: dict[str, str] | None = None
        try:
            raw = await self._body(headers, receive)
            status, payload = 200, await handler(self.state.context, headers, raw)
        except _Disconnected:
            return
        except _TooLarge:
            status = 413
            payload = _json(error_body("request_too_large", "the request body is too large"))
        except DomainError as error:
            status, body, extra = domain_error_parts(error)
            payload = _json(body)
        except Exception:
            errors_log.exception("unhandled error in POST %s", scope["path"])
            status = 500
            payload = _json(error_body("internal_error", "something went wrong on our side"))
        response_headers = [*self.lane_headers, (b"content-length", b"%d" % len(payload))]
        if extra:
            response_headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
        await _send_whole(
            send,
            {"type": "http.response.start", "status": status, "headers": response_headers},
            {"type": "http.response.body", "body": payload},
        )
        log.info("POST %s %s %.1fms", scope["path"], status, (time.perf_counter() - started) * 1000)

    async def _body(self, headers: Mapping[str, str], receive: Receive) -> bytes:
        declared = headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.lane_max_body:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Disconnected
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.lane_max_body:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)


class _Corked:
    """A transport that keeps what is written until `flush`, then writes it at once."""

    def __init__(self, transport: Any) -> None:
        self.transport = transport
        self.parts: list[bytes] = []

    def write(self, data: bytes) -> None:
        self.parts.append(data)

    def flush(self) -> None:
        if self.parts:
            self.transport.write(b"".join(self.parts))
            self.parts.clear()

    def close(self) -> None:  # a `Connection: close` answer: what is kept goes first
        self.flush()
        self.transport.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.transport, name)


async def _send_whole(send: Send, start: Message, body: Message) -> None:
    """Send a whole answer in ONE write to the socket.

    uvicorn writes the status line and headers, then the body: two `send` system calls and
    two TCP segments per answer (TCP_NODELAY), each of them a wake-up of the client, about a
    tenth of the event loop's time per signed report at 64 in flight (py-spy). When `send` is
    uvicorn's (a bound method of its request cycle, which writes to `cycle.transport`), that
    transport is corked for the two messages, so uvicorn keeps every check of its own (header
    values, Content-Length) and only the writes are joined. Any other server: as ASGI says."""
    cycle: Any = getattr(send, "__self__", None)
    transport = getattr(cycle, "transport", None)
    if transport is None or not callable(getattr(transport, "write", None)):
        await send(start)
        await send(body)
        return
    corked = _Corked(transport)
    cycle.transport = corked
    try:
        await send(start)
        await send(body)
    finally:
        if cycle.transport is corked:
            cycle.transport = transport
        corked.flush()


def _json(body: dict[str, Any]) -> bytes:
    return orjson.dumps(body)
