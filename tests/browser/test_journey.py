"""The whole journey on a phone: sign in, consent, register, residence, report, Home."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import (
    add_migrant,
    api_get,
    catalog,
    consent_and_register,
    declare_residence,
    enter_code,
    latest_code,
    pick_language_and_continue,
    shot,
    sign_in_with_card,
)
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]
MSK = ZoneInfo("Europe/Moscow")


def moscow_day(instant: str) -> date:
    return datetime.fromisoformat(instant).astimezone(MSK).date()


def test_full_journey(page: Page, app_server: LiveServer) -> None:
    text = catalog("ru")
    migrant = add_migrant(app_server)

    page.goto("/")
    expect(page.get_by_role("heading", name=text["language_title"])).to_be_visible()
    shot(page, "01-language")
    pick_language_and_continue(page, "ru")

    shot(page, "02-sign-in-card")
    page.get_by_role("link", name=text["lost_card"]).click()
    expect(page.get_by_role("heading", name=text["passport_title"])).to_be_visible()
    shot(page, "03-sign-in-passport")
    page.get_by_role("link", name=text["use_card"]).click()

    sign_in_with_card(page, app_server, migrant, text)
    expect(page.locator('input[name="code"]')).to_have_attribute("autocomplete", "one-time-code")
    expect(page.locator('input[name="code"]')).to_have_attribute("inputmode", "numeric")
    hint = page.locator("main strong").first.inner_text()
    assert hint and migrant.phone not in hint, "the phone number is shown masked"
    shot(page, "04-code")
    enter_code(page, app_server, migrant)

    expect(page.get_by_role("heading", name=text["consent_title"])).to_be_visible()
    shot(page, "05-consent")
    consent_and_register(page, text)
    shot(page, "06-residence")
    page.locator('input[name="accommodation"][value="hotel"]').check()
    expect(page.locator('textarea[name="address"]')).to_be_hidden()
    declare_residence(page, text, "Москва, ул. Тверская, д. 1, кв. 2")
    shot(page, "07-residence-saved")
    page.get_by_role("link", name=text["go_home"]).click()

    # Home: registered, a last report, and the deadline in words.
    expect(page.get_by_text(text["status_registered"])).to_be_visible()
    deadline = page.get_by_test_id("deadline")
    expect(deadline).to_contain_text("00:00")
    me = api_get(page, "/api/v1/me")
    assert me["registration"]["status"] == "active"
    assert me["residence"]["accommodation"] == "private"
    deregistration_day = moscow_day(me["monitoring"]["deregistration_at"])
    last_day = deregistration_day - timedelta(days=1)
    sentence = deadline.inner_text()
    for day in (last_day, deregistration_day):
        assert f"{day.day} {text[f'month_{day.month}']}" in sentence
        assert text[f"weekday_{day.isoweekday()}"] in sentence
    shot(page, "08-home")

    # Confirm my location: one more accepted report.
    page.get_by_test_id("confirm").click()
    expect(page.get_by_text(text["report_sent"].split("{")[0].strip())).to_be_visible()
    after = api_get(page, "/api/v1/me")
    assert after["monitoring"]["last_monitoring_at"] >= me["monitoring"]["last_monitoring_at"]
    shot(page, "09-home-confirmed")

    page.get_by_role("link", name=text["tab_messages"]).click()
    expect(page.get_by_role("heading", name=text["messages_title"])).to_be_visible()
    shot(page, "10-notifications")

    page.get_by_role("link", name=text["tab_proof"]).click()
    expect(page.locator("img.qr")).to_be_visible()
    status = page.get_by_test_id("proof-status")
    expect(status).to_contain_text(text["proofcard_since"].split("{")[0].strip())
    expect(page.get_by_test_id("proof-checked")).to_be_visible()
    expect(page.get_by_text("••")).to_be_visible()  # the masked document
    assert migrant.card_number not in page.content()
    assert (
        page.locator("img.qr").get_attribute("src", timeout=1000).startswith("data:image/svg+xml")
    )
    shot(page, "11-proof")

    page.get_by_role("link", name=text["tab_more"]).click()
    shot(page, "12-more")
    page.get_by_role("link", name=text["mydata_title"]).click()
    expect(page.locator(".day.yes").first).to_be_visible()
    shot(page, "13-my-data")

    page.goto("/#/tracking")
    page.get_by_role("button", name=text["tracking_start"]).click()
    expect(page.locator("img.qr")).to_be_visible()
    shot(page, "14-tracking")

    page.goto("/#/residence")
    expect(page.get_by_role("heading", name=text["residence_change_title"])).to_be_visible()
    shot(page, "15-residence-change")

    page.goto("/#/settings")
    expect(page.get_by_role("heading", name=text["settings_title"])).to_be_visible()
    shot(page, "16-settings")
    page.get_by_role("button", name=text["sign_out"]).click()
    expect(page.get_by_role("heading", name=text["signin_title"])).to_be_visible()


def test_passport_sign_in_and_errors_in_the_persons_language(
    page: Page, app_server: LiveServer
) -> None:
    text = catalog("en")
    migrant = add_migrant(app_server, language="en")
    pick_language_and_continue(page, "en")
    page.get_by_role("link", name=text["lost_card"]).click()

    # Mistakes are caught on the phone, in the person's language.
    page.get_by_role("button", name=text["get_code"]).click()
    expect(page.get_by_role("alert")).to_have_text(text["err_choose_citizenship"])
    page.locator('select[name="citizenship"]').select_option("UZ")
    page.locator('input[name="passport"]').fill(migrant.passport.lower())
    year, month, day = migrant.birth_date.split("-")
    page.locator('input[name="dob-d"]').fill(day)
    page.locator('input[name="dob-m"]').fill("13")
    page.locator('input[name="dob-y"]').fill(year)
    page.get_by_role("button", name=text["get_code"]).click()
    expect(page.get_by_role("alert")).to_have_text(text["err_birth_date"])
    page.locator('input[name="dob-m"]').fill(month)
    page.get_by_role("button", name=text["get_code"]).click()
    expect(page.get_by_role("heading", name=text["code_title"])).to_be_visible()

    # A wrong code: the server's code is shown as the catalog's sentence, not its English text.
    real = latest_code(app_server, migrant.phone)
    page.locator('input[name="code"]').fill("000000" if real != "000000" else "111111")
    expect(page.get_by_role("alert")).to_have_text(text["err_invalid_code"])
    shot(page, "21-wrong-code")
    page.locator('input[name="code"]').fill(real)
    expect(page.get_by_role("heading", name=text["consent_title"])).to_be_visible()
