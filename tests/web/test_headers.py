"""Issue 9, defect 11 (headers): HSTS in production, and a strict CSP on every HTML page."""

from __future__ import annotations

import logging
from logging.handlers import QueueHandler
from pathlib import Path

from fastapi.responses import HTMLResponse
from fastapi.testclient import TestClient

from amina.clock import FixedClock
from amina.config import Settings
from amina.context import AppContext
from amina.db import Database
from amina.web import request_log
from amina.web.app import create_app
from amina.web.security import CONTENT_SECURITY_POLICY
from tests.conftest import DEFAULT_NOW, TEST_SECRET

PRODUCTION = {
    "env": "production",
    "database_url": "postgresql+psycopg://amina@db/amina",
    "sms_backend": "http",
    "sms_http_url": "https://sms.example/send",
    "secret_key": TEST_SECRET,
    "heartbeat_interval_s": 0,
}


def test_production_sends_hsts(db: Database, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, **PRODUCTION)  # type: ignore[arg-type]
    context = AppContext(settings=settings, db=db, clock=FixedClock(DEFAULT_NOW))
    with TestClient(create_app(settings, context=context)) as client:
        for path in ("/api/v1/health", "/", "/verify/not-a-token"):
            hsts = client.get(path).headers.get("strict-transport-security")
            assert hsts == "max-age=31536000; includeSubDomains", path


def test_development_sends_no_hsts(client: TestClient) -> None:
    assert "strict-transport-security" not in client.get("/api/v1/health").headers


def test_every_html_page_gets_the_strict_policy_by_default(context: AppContext) -> None:
    app = create_app(context.settings, context=context)

    @app.get("/some-new-page")
    def page() -> HTMLResponse:
        return HTMLResponse("<p>a page someone adds later</p>")

    with TestClient(app) as client:
        response = client.get("/some-new-page")
        assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
        assert "script-src 'self'" in CONTENT_SECURITY_POLICY
        # JSON is not a page: no CSP needed there, and none added.
        assert "content-security-policy" not in client.get("/api/v1/health").headers


def test_the_verify_page_has_a_csp_that_allows_only_its_own_style(client: TestClient) -> None:
    # Issue 10: the page's style is one same-origin stylesheet, so no inline style or hash.
    response = client.get("/verify/not-a-genuine-token")
    assert response.status_code == 404 and response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert "<style" not in response.text and "<script" not in response.text
    assert "style-src 'self'" in policy and "default-src 'none'" in policy
    assert "unsafe-inline" not in policy
    assert client.get("/").headers["content-security-policy"] == CONTENT_SECURITY_POLICY


def test_request_lines_go_through_a_queue() -> None:
    listener = request_log.start()
    try:
        logger = logging.getLogger(request_log.REQUEST_LOGGER)
        assert any(isinstance(h, QueueHandler) for h in logger.handlers)
        assert not logger.propagate and request_log.start() is listener
    finally:
        request_log.stop()
    assert not any(isinstance(h, QueueHandler) for h in logger.handlers)
