"""/docs and /redoc render their operations with every host but Amina's blocked."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect

from tests.browser.conftest import collect_errors, shot
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]
LOAD_MS = 30_000


@pytest.fixture
def offline_page(browser: Browser, app_server: LiveServer) -> Iterator[tuple[Page, list[str]]]:
    """A desktop page whose requests to any other host fail (and are listed)."""
    context: BrowserContext = browser.new_context(viewport={"width": 1280, "height": 900})
    own = urlsplit(app_server.base_url).netloc
    elsewhere: list[str] = []

    def only_amina(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).netloc == own or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            elsewhere.append(url)
            route.abort("blockedbyclient")

    context.set_default_timeout(30_000)
    context.route("**/*", only_amina)
    page = context.new_page()
    errors = collect_errors(page)
    page.goto(app_server.base_url + "/api/v1/health")
    yield page, elsewhere
    context.close()
    assert errors == [], errors


def test_swagger_ui_renders_the_operations_offline(
    offline_page: tuple[Page, list[str]], app_server: LiveServer
) -> None:
    page, elsewhere = offline_page
    page.goto(app_server.base_url + "/docs")
    operations = page.locator(".opblock")
    expect(operations.first).to_be_visible(timeout=LOAD_MS)  # a 1.7 MB bundle on a busy CI
    assert operations.count() > 20
    expect(
        page.locator(".opblock-summary-path", has_text="/api/v1/auth/challenges")
    ).to_be_visible()
    shot(page, "30-docs-swagger")
    assert elsewhere == []


def test_redoc_renders_the_operations_offline(
    offline_page: tuple[Page, list[str]], app_server: LiveServer
) -> None:
    page, elsewhere = offline_page
    page.goto(app_server.base_url + "/redoc")
    # ReDoc 3 lists every operation in its sidebar and shows them under their tags.
    operations = page.locator('a[href^="#/"]', has_text="/api/v1/")
    expect(operations.first).to_be_visible(timeout=LOAD_MS)
    assert operations.count() > 20
    expect(page.get_by_role("link", name="post /api/v1/auth/challenges")).to_be_visible()
    expect(page.locator("#sign-in")).to_be_attached()
    shot(page, "31-docs-redoc")
    assert elsewhere == []
