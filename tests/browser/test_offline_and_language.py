"""The offline queue (exactly once), switching the language, and the Ed25519 fallback."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    add_migrant,
    api_get,
    catalog,
    collect_errors,
    new_context,
    person_show,
    queued_ids,
    shot,
    signed_up,
)
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]


def test_offline_report_is_queued_and_arrives_exactly_once(
    page: Page, app_server: LiveServer
) -> None:
    text = catalog("ru")
    migrant = add_migrant(app_server)
    signed_up(page, app_server, migrant)
    expect(page.get_by_test_id("queue-banner")).to_have_count(0)

    page.context.set_offline(True)
    page.get_by_test_id("confirm").click()
    expect(page.get_by_text(text["report_queued"])).to_be_visible()
    banner = page.get_by_test_id("queue-banner")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("1")
    waiting = queued_ids(page)
    assert len(waiting) == 1
    shot(page, "17-offline-queued")

    page.context.set_offline(False)  # the `online` event sends the queue
    expect(banner).to_have_count(0, timeout=15_000)
    assert queued_ids(page) == []

    # Sending the same report again is harmless: the server answers with a duplicate, nothing
    # is stored twice. (A report is its id at its instant: what a queue resends.)
    stored = next(
        r
        for r in api_get(page, "/api/v1/me/export")["location_reports"]
        if r["client_id"] == waiting[0]
    )
    page.evaluate(
        """async ([id, recorded_at]) => {
            const { enqueue, flush } = await import("/app/js/queue.js");
            await enqueue({ id, lat: 55.75, lon: 37.61, accuracy_m: 10,
                recorded_at, source: "fused", mock: false });
            return flush();
        }""",
        [waiting[0], stored["recorded_at"]],
    )
    reports = api_get(page, "/api/v1/me/export")["location_reports"]
    assert [r["client_id"] for r in reports].count(waiting[0]) == 1
    assert queued_ids(page) == []


def test_the_app_starts_offline_from_the_service_worker(page: Page, app_server: LiveServer) -> None:
    text = catalog("ru")
    migrant = add_migrant(app_server)
    signed_up(page, app_server, migrant)
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_text(text["status_registered"])).to_be_visible()
    expect(page.locator("#net")).to_have_text(text["offline"])
    shot(page, "20-offline-start")
    page.context.set_offline(False)


def test_language_switch_changes_the_ui_and_the_server_preference(
    page: Page, app_server: LiveServer
) -> None:
    migrant = add_migrant(app_server)
    signed_up(page, app_server, migrant)
    ru, uz = catalog("ru"), catalog("uz")

    page.get_by_role("link", name=ru["tab_more"]).click()
    page.get_by_role("link", name=ru["settings_title"]).click()
    expect(page.get_by_role("heading", name=ru["settings_title"])).to_be_visible()
    page.locator('input[name="language"][value="uz"]').click()

    expect(page.get_by_role("heading", name=uz["settings_title"])).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    expect(page.get_by_role("link", name=uz["tab_home"])).to_be_visible()
    shot(page, "18-settings-uz")
    page.wait_for_function(  # the PUT runs in the background
        """async () => {
            const { state } = await import("/app/js/state.js");
            const { get } = await import("/app/js/api.js");
            return state.session && (await get("/api/v1/me")).language === "uz";
        }""",
        polling=200,
        timeout=20_000,
    )
    assert person_show(app_server, migrant)["language"] == "uz"  # as the MMC sees it

    page.get_by_role("link", name=uz["tab_home"]).click()
    expect(page.get_by_text(uz["status_registered"])).to_be_visible()
    expect(page.get_by_test_id("deadline")).to_contain_text("00:00")
    shot(page, "19-home-uz")

    page.reload()  # the choice is remembered on the phone
    expect(page.get_by_text(uz["status_registered"])).to_be_visible()


def test_device_key_falls_back_to_noble_without_webcrypto_ed25519(
    browser: Browser, app_server: LiveServer
) -> None:
    context = new_context(browser, app_server)
    # A browser without Ed25519 in WebCrypto.
    context.add_init_script(
        """(() => {
            const generateKey = crypto.subtle.generateKey.bind(crypto.subtle);
            crypto.subtle.generateKey = (algorithm, ...rest) =>
                (algorithm && (algorithm === "Ed25519" || algorithm.name === "Ed25519"))
                    ? Promise.reject(new DOMException("not supported", "NotSupportedError"))
                    : generateKey(algorithm, ...rest);
        })()"""
    )
    page = context.new_page()
    errors = collect_errors(page)
    try:
        text = catalog("ru")
        migrant = add_migrant(app_server)
        signed_up(page, app_server, migrant)
        kind = page.evaluate(
            """async () => (await (await import("/app/js/keys.js")).deviceKey()).kind"""
        )
        assert kind == "noble"
        page.get_by_test_id("confirm").click()
        expect(page.get_by_text(text["report_sent"].split("{")[0].strip())).to_be_visible()
        reports = api_get(page, "/api/v1/me/export")["location_reports"]
        assert len([r for r in reports if not r.get("heartbeat")]) >= 2
        assert errors == []
    finally:
        context.close()
