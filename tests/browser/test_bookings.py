"""The Appointments screen in Debian's Chromium: book (service and documents → day → time),
the ticket with its QR, the ticket shown offline from the saved copy, and cancelling."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_migrant, api_get, catalog, shot, signed_up
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]


def test_book_see_the_ticket_offline_and_cancel(page: Page, app_server: LiveServer) -> None:
    text = catalog("ru")
    migrant = add_migrant(app_server)
    signed_up(page, app_server, migrant)

    page.get_by_test_id("home-bookings").click()
    expect(page.get_by_role("heading", name=text["booking_title"])).to_be_visible()
    expect(page.get_by_text(text["booking_none"])).to_be_visible()
    page.get_by_test_id("booking-new").click()
    service = page.locator('[data-service="card_issue"]')
    expect(service).to_contain_text("Миграционная карта")  # its documents, in Russian
    shot(page, "30-booking-services")
    service.get_by_test_id("booking-choose").click()
    page.get_by_test_id("booking-day").first.click()
    shot(page, "31-booking-times")
    page.locator('[data-testid="booking-slot"]:not([disabled])').first.click()

    ticket = page.get_by_test_id("booking-ticket")
    expect(ticket).to_be_visible()
    expect(ticket.locator("img.qr")).to_be_visible()
    when = page.get_by_test_id("booking-when").inner_text()
    shot(page, "32-booking-ticket")
    booked = api_get(page, "/api/v1/me/bookings")["items"]
    assert [b["status"] for b in booked] == ["booked"]

    # Offline: the app starts from the service worker and shows the saved ticket.
    page.wait_for_function("navigator.serviceWorker && navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    page.reload()
    expect(page.get_by_test_id("booking-offline")).to_be_visible()
    expect(page.get_by_test_id("booking-ticket").locator("img.qr")).to_be_visible()
    expect(page.get_by_test_id("booking-when")).to_have_text(when)
    shot(page, "33-booking-ticket-offline")
    page.context.set_offline(False)

    page.reload()
    expect(page.get_by_test_id("booking-cancel")).to_be_visible()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("booking-cancel").click()
    expect(page.get_by_text(text["booking_cancelled_done"])).to_be_visible()
    expect(page.get_by_test_id("booking-ticket")).to_have_count(0)
    expect(page.get_by_test_id("booking-past")).to_contain_text(text["booking_status_cancelled"])
    shot(page, "34-booking-cancelled")
    assert [b["status"] for b in api_get(page, "/api/v1/me/bookings")["items"]] == ["cancelled"]
