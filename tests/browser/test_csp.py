"""Issue 9, defect 11: the app shell and the /verify page work under the strict CSP, with no
violation reported by the browser."""

from __future__ import annotations

from playwright.sync_api import Browser, ConsoleMessage, Page, expect

from amina.web.routes.verify import catalog as verify_catalog
from tests.browser.conftest import catalog, new_context, pick_language_and_continue
from tests.support.server import LiveServer

VIOLATION_PROBE = """
window.__csp = [];
document.addEventListener('securitypolicyviolation',
  (e) => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
"""


def _watch(page: Page) -> list[str]:
    messages: list[str] = []

    def seen(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            messages.append(message.text)

    page.on("console", seen)
    page.add_init_script(VIOLATION_PROBE)
    return messages


def test_the_app_shell_runs_under_the_default_policy(page: Page, app_server: LiveServer) -> None:
    console = _watch(page)
    response = page.goto("/")
    assert (
        response is not None and "unsafe-inline" not in response.headers["content-security-policy"]
    )
    text = catalog("ru")
    expect(page.get_by_role("heading", name=text["language_title"])).to_be_visible()
    pick_language_and_continue(page, "ru")
    expect(page.get_by_role("heading", name=text["signin_title"])).to_be_visible()
    assert page.evaluate("window.__csp") == [] and console == []


def test_the_verify_page_is_styled_under_its_policy(
    browser: Browser, app_server: LiveServer
) -> None:
    context = new_context(browser, app_server)
    try:
        page = context.new_page()
        console = _watch(page)
        response = page.goto("/verify/not-a-genuine-proof?lang=en")
        assert response is not None and response.status == 404
        verdict = page.locator(".verdict.bad")
        expect(verdict).to_contain_text(verify_catalog()["en"]["not_valid"])
        # The page's one same-origin stylesheet applies under the policy: the verdict is styled
        # (its own colour, not the body's).
        colour = verdict.evaluate("v => getComputedStyle(v).color")
        body = page.evaluate("getComputedStyle(document.body).color")
        assert colour != body
        assert page.evaluate("window.__csp") == [] and console == []
    finally:
        context.close()
