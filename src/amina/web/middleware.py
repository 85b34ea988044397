"""ASGI middleware: a body-size cap, security headers, and a request log without personal data."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from amina.web.security import CONTENT_SECURITY_POLICY, hsts_value

log = logging.getLogger("amina.requests")

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(self)"),
]
API_HEADERS = [(b"cache-control", b"no-store")]
CSP_HEADER = b"content-security-policy"
HTML_CSP = (CSP_HEADER, CONTENT_SECURITY_POLICY.encode())


def _is_html(headers: list[tuple[bytes, bytes]]) -> bool:
    return any(k.lower() == b"content-type" and v.startswith(b"text/html") for k, v in headers)


def always_headers(hsts_max_age_s: int | None) -> list[tuple[bytes, bytes]]:
    """The headers every response carries (HSTS only when `hsts_max_age_s` is given)."""
    headers = list(SECURITY_HEADERS)
    if hsts_max_age_s:
        headers.append((b"strict-transport-security", hsts_value(hsts_max_age_s).encode()))
    return headers


class SafetyMiddleware:
    """Refuses bodies over `max_body_bytes` (413), adds security headers (the strict CSP on
    every HTML response that sets none, HSTS when `hsts_max_age_s` is given: production), and
    logs each request by its route template (`/verify/{token}`), never by its path or query."""

    def __init__(
        self, app: ASGIApp, max_body_bytes: int, hsts_max_age_s: int | None = None
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.always = always_headers(hsts_max_age_s)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            await _too_large(send)
            return
        started, status, received = time.perf_counter(), 0, 0
        is_api = scope["path"].startswith("/api/") or scope["path"].startswith("/owntracks/")

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body_bytes:
                # Answered by the one error handler, like any other 4xx.
                raise HTTPException(413, "the request body is too large")
            return message

        async def decorated_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers += self.always + (API_HEADERS if is_api else [])
                if _is_html(headers) and not any(k.lower() == CSP_HEADER for k, _ in headers):
                    headers.append(HTML_CSP)
                message = {**message, "headers": headers}
            await send(message)

        try:
            await self.app(scope, counted_receive, decorated_send)
        finally:
            route = scope.get("route")
            log.info(
                "%s %s %s %.1fms",
                scope.get("method"),
                getattr(route, "path", "-"),
                status,
                (time.perf_counter() - started) * 1000,
            )


async def _too_large(send: Send) -> None:
    body: dict[str, Any] = {
        "error": {"code": "request_too_large", "message": "the request body is too large"}
    }
    payload = json.dumps(body).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
