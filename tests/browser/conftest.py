"""Playwright (sync API) against a real `amina serve`, in Debian's Chromium.

The phone's clock is real (no AMINA_NOW): reports recorded far from the server's clock would be
rejected. Geolocation is granted and pinned to the centre of Moscow.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.conftest import DatabaseFactory
from tests.support.server import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
CATALOGS = ROOT / "src" / "amina" / "web" / "static" / "app" / "i18n"
MOSCOW = {"latitude": 55.7558, "longitude": 37.6173, "accuracy": 25}
BIRTH_DATE = "1994-03-05"


def catalog(language: str) -> dict[str, str]:
    return dict(json.loads((CATALOGS / f"{language}.json").read_text(encoding="utf-8")))


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


@dataclass(frozen=True)
class Migrant:
    person_id: str
    card_number: str
    phone: str
    passport: str
    birth_date: str = BIRTH_DATE


def add_migrant(server: LiveServer, *, citizenship: str = "UZ", language: str = "ru") -> Migrant:
    digits = "".join(secrets.choice("0123456789") for _ in range(7))
    phone, passport = f"+99890{digits}", f"FA{digits}"
    entry = (datetime.now(UTC) - timedelta(days=20)).date().isoformat()
    person = server.cli_json(
        "person", "add", "--surname", "Karimov", "--given-names", "Aziz",
        "--birth-date", BIRTH_DATE, "--citizenship", citizenship, "--passport", passport,
        "--phone", phone, "--purpose", "work", "--entry-date", entry, "--language", language,
    )  # fmt: skip
    card = server.cli_json("card", "issue", "--person", person["person_id"])
    return Migrant(person["person_id"], card["card_number"], phone, passport)


def latest_code(server: LiveServer, phone: str) -> str:
    messages = server.cli_json("sms", "list", "--phone", phone)
    assert messages, "no SMS was sent"
    match = re.search(r"\b(\d{6})\b", messages[0]["text"])
    assert match, messages[0]["text"]
    return match.group(1)


def person_show(server: LiveServer, migrant: Migrant) -> Any:
    return server.cli_json("person", "show", "--person", migrant.person_id)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_context(browser: Browser, server: LiveServer, locale: str = "ru-RU") -> BrowserContext:
    context = browser.new_context(
        base_url=server.base_url,
        locale=locale,
        geolocation=MOSCOW,
        permissions=["geolocation"],
        viewport={"width": 360, "height": 740},
        device_scale_factor=1,
        is_mobile=True,
        has_touch=True,
        service_workers="allow",
    )
    context.set_default_timeout(15_000)
    return context


@pytest.fixture(scope="session")
def app_server(
    database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """One `amina serve` for the browser tests: each test signs up a person of its own."""
    server = LiveServer(database_factory.create(), tmp_path_factory.mktemp("app-server"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def context(browser: Browser, app_server: LiveServer) -> Iterator[BrowserContext]:
    context = new_context(browser, app_server)
    yield context
    context.close()


# The browser itself logs an API answer the app expects and handles (a wrong code's 422, a 401
# before a refresh), and a request made while a test has put the phone offline, as "Failed to
# load resource"; neither is an error of the page.
EXPECTED_CONSOLE = re.compile(
    r"^Failed to load resource: "
    r"(the server responded with a status of 4|net::ERR_INTERNET_DISCONNECTED)"
)


def collect_errors(page: Page) -> list[str]:
    """Every uncaught exception and every console error (CSP violations included) of `page`."""
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(f"uncaught: {error}"))
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}")
            if message.type == "error" and not EXPECTED_CONSOLE.match(message.text)
            else None
        ),
    )
    return errors


@pytest.fixture
def page(context: BrowserContext) -> Iterator[Page]:
    """A page that fails the test on any uncaught error or console error."""
    page = context.new_page()
    errors = collect_errors(page)
    yield page
    page.wait_for_timeout(0)  # deliver events still queued
    assert errors == [], f"errors in the page: {errors}"


def pick_language_and_continue(page: Page, language: str) -> None:
    page.goto("/")
    page.locator(f'input[name="language"][value="{language}"]').click()
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.locator("main button.btn").click()


def sign_in_with_card(
    page: Page, server: LiveServer, migrant: Migrant, text: dict[str, str]
) -> None:
    expect(page.get_by_role("heading", name=text["signin_title"])).to_be_visible()
    year, month, day = migrant.birth_date.split("-")
    page.locator('input[name="card"]').fill(migrant.card_number)
    page.locator('input[name="dob-d"]').fill(day)
    page.locator('input[name="dob-m"]').fill(month)
    page.locator('input[name="dob-y"]').fill(year)
    page.get_by_role("button", name=text["get_code"]).click()
    expect(page.get_by_role("heading", name=text["code_title"])).to_be_visible()


def enter_code(page: Page, server: LiveServer, migrant: Migrant) -> None:
    page.locator('input[name="code"]').fill(latest_code(server, migrant.phone))


def consent_and_register(page: Page, text: dict[str, str]) -> None:
    expect(page.get_by_role("heading", name=text["consent_title"])).to_be_visible()
    page.locator('input[name="personal_data"]').check()
    page.locator('input[name="geolocation"]').check()
    page.get_by_role("button", name=text["consent_agree"]).click()
    expect(page.get_by_role("heading", name=text["register_title"])).to_be_visible()
    page.get_by_role("button", name=text["register_button"]).click()
    expect(page.get_by_role("heading", name=text["residence_title"])).to_be_visible()


def declare_residence(page: Page, text: dict[str, str], address: str) -> None:
    page.locator('input[name="accommodation"][value="private"]').check()
    page.locator('textarea[name="address"]').fill(address)
    page.get_by_role("button", name=text["residence_save"]).click()
    expect(page.get_by_text(text["residence_saved"])).to_be_visible()


def signed_up(page: Page, server: LiveServer, migrant: Migrant, language: str = "ru") -> None:
    """From a blank phone to Home: language, card sign-in, consent, registration, residence."""
    text = catalog(language)
    pick_language_and_continue(page, language)
    sign_in_with_card(page, server, migrant, text)
    enter_code(page, server, migrant)
    consent_and_register(page, text)
    declare_residence(page, text, "Москва, ул. Тверская, д. 1, кв. 2")
    page.get_by_role("link", name=text["go_home"]).click()
    expect(page.get_by_test_id("deadline")).to_be_visible()


def queued_ids(page: Page) -> list[str]:
    """The ids in the app's IndexedDB queue."""
    return list(
        page.evaluate(
            """() => new Promise((resolve, reject) => {
                const open = indexedDB.open("amina");
                open.onerror = () => reject(open.error);
                open.onsuccess = () => {
                    const store = open.result.transaction("queue").objectStore("queue");
                    const request = store.getAllKeys();
                    request.onsuccess = () => resolve(request.result);
                    request.onerror = () => reject(request.error);
                };
            })"""
        )
    )


def api_get(page: Page, path: str) -> Any:
    """Calls the API from inside the page with the app's own access token."""
    return page.evaluate(
        """async (path) => {
            const session = await new Promise((resolve, reject) => {
                const open = indexedDB.open("amina");
                open.onerror = () => reject(open.error);
                open.onsuccess = () => {
                    const request = open.result.transaction("kv").objectStore("kv").get("session");
                    request.onsuccess = () => resolve(request.result);
                    request.onerror = () => reject(request.error);
                };
            });
            const response = await fetch(path, {
                headers: { Authorization: "Bearer " + session.access_token },
            });
            return response.json();
        }""",
        path,
    )
