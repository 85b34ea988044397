"""The background-tracker screen in a real browser: OwnTracks (HTTP + MQTT), Traccar Client's
QR and id, the evening nudge switch. Its screenshots illustrate docs/background-reporting.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_migrant, api_get, catalog, signed_up
from tests.support.server import LiveServer

DOCS_IMAGES = Path(__file__).resolve().parents[2] / "docs" / "img" / "background"

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("language", ["ru", "en"])
def test_background_setup_screen(page: Page, app_server: LiveServer, language: str) -> None:
    text = catalog(language)
    signed_up(page, app_server, add_migrant(app_server, language=language), language)
    page.goto("/#/tracking")
    page.get_by_role("button", name=text["tracking_start"]).click()
    expect(page.locator("img.qr").first).to_be_visible()
    page.get_by_role("button", name=text["bg_traccar_start"]).click()
    expect(page.get_by_text(text["bg_traccar_ready"])).to_be_visible()
    expect(page.locator("img.qr")).to_have_count(2)
    nudge = page.locator("#bg-nudge")
    expect(nudge).to_be_enabled()
    expect(nudge).to_be_checked()
    DOCS_IMAGES.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(DOCS_IMAGES / f"setup-{language}.png"), full_page=True)
    nudge.click()
    expect(nudge).not_to_be_checked()
    expect(nudge).to_be_enabled()
    assert api_get(page, "/api/v1/me/nudge") == {"enabled": False}
