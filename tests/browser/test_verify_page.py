"""/verify/{token} in every language: it renders under its CSP with 0 axe-core violations."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_migrant, catalog, shot
from tests.support.migrant import Migrant
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]
AXE = Path(__file__).with_name("vendor") / "axe.min.js"
LANGUAGES = ("ru", "en", "uz", "tg", "ky", "kk", "hy", "ka", "az", "ro", "uk")
VERIFY = Path(__file__).resolve().parents[2] / "src/amina/web/static/verify/catalog.json"


@pytest.fixture(scope="module")
def proof_url(app_server: LiveServer) -> str:
    recorded = add_migrant(app_server)

    def latest_sms(phone: str) -> str:
        return str(app_server.cli_json("sms", "list", "--phone", phone)[0]["text"])

    with httpx.Client(base_url=app_server.base_url, timeout=10) as http:
        migrant = Migrant(
            http, latest_sms=latest_sms, now=lambda: datetime.now(UTC), phone=recorded.phone
        )
        migrant.sign_in(recorded.card_number, recorded.birth_date)
        assert migrant.register().status_code == 201
        url = str(migrant.get("/api/v1/me/proof").json()["verify_url"])
    assert len(url) <= 80
    return url


def axe_violations(page: Page) -> list[dict[str, object]]:
    """axe-core's violations; it is injected as an init script (the page's CSP allows none)."""
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ["violations"] });
            return r.violations.map((v) => ({ id: v.id, nodes: v.nodes.map((n) => n.target) }));
        }"""
    )
    return list(result)


def test_verify_renders_in_every_language_without_axe_violations(
    page: Page, proof_url: str
) -> None:
    texts = json.loads(VERIFY.read_text(encoding="utf-8"))
    page.add_init_script(path=str(AXE))
    for language in LANGUAGES:
        page.goto(f"{proof_url}?lang={language}")
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator(".verdict.ok")).to_have_text(texts[language]["valid"])
        expect(page.get_by_role("heading", level=1)).to_have_text(texts[language]["title"])
        # The stylesheet applied: the verdict is in large type.
        size = page.locator(".verdict").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert size >= 32
        assert axe_violations(page) == [], language
        if language in ("ru", "hy"):
            shot(page, f"50-verify-{language}")


def test_the_language_switch_and_accept_language(page: Page, proof_url: str) -> None:
    page.goto(proof_url)  # the context's locale is ru-RU
    expect(page.locator("html")).to_have_attribute("lang", "ru")
    page.get_by_role("link", name="ქართული").click()
    expect(page.locator("html")).to_have_attribute("lang", "ka")
    assert catalog("ka")  # the app and the page speak the same 11 languages
