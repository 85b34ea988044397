"""The officer console in Debian's Chromium (issue 11): every role signs in with TOTP and opens
every page its role allows, each screenshotted and checked by axe-core (no serious or critical
violation); officers search, open a person with a reason (and fail without), see the timeline,
the map with its points and the presence calendar, claim and decide a case, approve a registry
proposal as a second officer (refused to the first), declare an outage and see it move a
deadline, and see every dashboard drawn."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyotp
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from amina.officers.models import Role
from amina.officers.permissions import allowed
from tests.browser.conftest import SCREENSHOTS
from tests.conftest import DatabaseFactory
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server, pytest.mark.slow]
AXE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
PAGES = [
    ("/console/search", "person.search"),
    ("/console/queues/due-soon", "queue.due_soon"),
    ("/console/cases", "case.view"),
    ("/console/registry", "registry.view"),
    ("/console/outages", "outage.view"),
    ("/console/dashboards", "dashboard.view"),
    ("/console/audit", "audit.view"),
    ("/console/account", "account.self"),
]
DUE_CARD = "770000100022"  # Qodirova: due soon in the demo data


@pytest.fixture(scope="module")
def console_server(
    database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[LiveServer, dict[str, Any]]]:
    server = LiveServer(database_factory.create(), tmp_path_factory.mktemp("console-server"))
    server.start(timeout_s=120)  # a shared, busy CI machine starts servers slowly
    seeded = server.cli_json("demo")
    server.cli("worker", "--once")  # the dashboards' daily counts
    officers = {o["username"]: o for o in seeded["console_officers"]}
    yield server, officers
    server.stop()


@pytest.fixture
def desk(
    browser: Browser, console_server: tuple[LiveServer, dict[str, Any]]
) -> Iterator[BrowserContext]:
    server, _ = console_server
    context = browser.new_context(
        base_url=server.base_url, viewport={"width": 1280, "height": 900}, locale="ru-RU"
    )
    context.set_default_timeout(15_000)
    # Injected by the browser before any page script: the pages' strict CSP stays on.
    context.add_init_script(AXE)
    yield context
    context.close()


def shot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"console-{name}.png"), full_page=True)


def axe_problems(page: Page) -> list[str]:
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}"
        for v in result["violations"]
        if v["impact"] in {"serious", "critical"}
    ]


def checked(page: Page, name: str) -> None:
    shot(page, name)
    assert axe_problems(page) == [], name


_used_steps: dict[str, int] = {}


def sign_in(page: Page, officer: dict[str, Any]) -> None:
    page.goto("/console")
    page.locator("#username").fill(officer["username"])
    page.locator("#password").fill(officer["password"])
    page.locator("form button[type=submit]").click()
    expect(page.locator("#code")).to_be_visible()
    totp = pyotp.TOTP(officer["totp_secret"])
    # A code is accepted once: wait for a fresh step if this officer already used this one.
    step = int(datetime.now(UTC).timestamp()) // 30
    while _used_steps.get(officer["username"]) == step:
        page.wait_for_timeout(1000)
        step = int(datetime.now(UTC).timestamp()) // 30
    _used_steps[officer["username"]] = step
    page.locator("#code").fill(totp.now())
    page.locator("form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/console/home"))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_signs_in_and_sees_exactly_its_pages(
    desk: BrowserContext, console_server: tuple[LiveServer, dict[str, Any]], role: Role
) -> None:
    _, officers = console_server
    officer = next(o for o in officers.values() if o["role"] == role.value)
    page = desk.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto("/console")
    checked(page, "sign-in")
    sign_in(page, officer)
    checked(page, f"{role.value}-home")
    for path, action in PAGES:
        response = page.goto(path)
        assert response is not None
        if allowed(role, action):
            assert response.status == 200, (role, path)
            checked(page, f"{role.value}-{path.strip('/').replace('/', '-')}")
        else:
            assert response.status == 403, (role, path)
    if allowed(role, "dashboard.view"):
        page.goto("/console/dashboards")
        for chart in page.locator("[data-chart]").all():
            expect(chart).to_have_attribute("data-drawn", "1")
            expect(chart.locator("canvas")).to_have_count(1)
    assert errors == []


def officer_named(console_server: tuple[LiveServer, dict[str, Any]], name: str) -> dict[str, Any]:
    return console_server[1][name]


def open_due_person(page: Page, reason: str = "two days left: checking before calling") -> None:
    page.goto("/console/search")
    page.locator("input[name=kind][value=card]").check()
    page.locator("#value").fill(DUE_CARD)
    page.locator("form.search button[type=submit]").click()
    expect(page.get_by_test_id("search-results").locator("tbody tr")).to_have_count(1)
    checked(page, "search-results")
    page.get_by_test_id("search-results").get_by_role("link").click()
    if reason:
        page.locator("#category").select_option("deadline_check")
        page.locator("#reason").fill(reason)
    page.locator("main form button[type=submit]").click()


def test_an_officer_opens_a_person_with_a_reason_and_sees_timeline_map_and_presence(
    desk: BrowserContext, console_server: tuple[LiveServer, dict[str, Any]]
) -> None:
    page = desk.new_page()
    sign_in(page, officer_named(console_server, "console.mmc"))
    open_due_person(page, reason="")  # no reason: refused, nothing shown
    expect(page.locator("[data-code]")).to_have_attribute("data-code", "reason_required")
    assert "Qodirova" not in page.content()
    open_due_person(page)
    expect(page.get_by_test_id("deadlines")).to_be_visible()
    assert "Qodirova" in page.content()
    checked(page, "person")
    page.get_by_role("link", name="Хронология").click()
    expect(page.get_by_test_id("timeline").locator("li").first).to_be_visible()
    checked(page, "timeline")
    page.get_by_role("link", name="Карта").first.click()
    expect(page.get_by_test_id("map")).to_have_attribute("data-shown", "96")
    # The page labels the compact points itself, in Moscow time: "dd.mm HH:MM".
    expect(page.locator("#slider-label")).to_have_text(re.compile(r"^\d\d\.\d\d \d\d:\d\d$"))
    page.locator("#replay").click()
    expect(page.get_by_test_id("map")).to_have_attribute("data-shown", "96")
    checked(page, "map")
    page.get_by_role("link", name="Календарь присутствия").click()
    seen_month = (datetime.now(UTC) - timedelta(days=2, hours=12)).strftime("%Y-%m")
    page.goto(page.url + f"&month={seen_month}")
    expect(page.get_by_test_id("presence").locator("td.seen").first).to_be_visible()
    checked(page, "presence")


def test_cases_are_claimed_and_decided_with_a_written_reason(
    desk: BrowserContext, console_server: tuple[LiveServer, dict[str, Any]]
) -> None:
    page = desk.new_page()
    sign_in(page, officer_named(console_server, "console.supervisor"))
    page.goto("/console/cases")
    checked(page, "cases")
    page.get_by_test_id("cases").get_by_role("link").first.click()
    page.get_by_role("button", name="Взять в работу").click()
    page.locator("#outcome").select_option("dismissed")
    page.get_by_role("button", name="Принять решение").click()  # no reason
    expect(page.locator("[data-code]")).to_have_attribute("data-code", "reason_required")
    page.go_back()
    page.reload()
    page.locator("#outcome").select_option("dismissed")
    page.locator("#reason").fill("Демо: телефон был сломан, есть справка из сервиса")
    page.get_by_role("button", name="Принять решение").click()
    expect(page.get_by_test_id("case-status")).to_contain_text("closed")
    checked(page, "case-decided")


def test_a_registry_proposal_needs_a_second_officer(
    desk: BrowserContext, console_server: tuple[LiveServer, dict[str, Any]]
) -> None:
    page = desk.new_page()
    sign_in(page, officer_named(console_server, "console.mmc"))  # the proposer
    page.goto("/console/registry")
    rows = page.get_by_test_id("registry-proposed").locator("tbody tr")
    expect(rows.first).to_contain_text("Демо")
    expect(rows.first.get_by_role("button", name="Утвердить")).to_have_count(0)
    # Even a hand-made request is refused on the server.
    server, _ = console_server
    proposals = server.cli_json("registry", "list", "--status", "proposed")
    entry = proposals[0]["entry_id"]
    csrf = page.locator("input[name=csrf]").first.get_attribute("value")
    status = page.evaluate(
        """async ([entry, csrf]) => (await fetch(`/console/registry/${entry}/approve`,
            {method: "POST", body: new URLSearchParams({csrf}), redirect: "manual"})).status""",
        [entry, csrf],
    )
    assert status in {403, 409}
    desk.clear_cookies()
    sign_in(page, officer_named(console_server, "console.mmc2"))
    page.goto("/console/registry")
    page.get_by_test_id("registry-proposed").get_by_role("button", name="Утвердить").first.click()
    expect(page.get_by_test_id("registry-proposed").locator("tbody tr").first).not_to_contain_text(
        "Демо"
    )
    checked(page, "registry-approved")


def test_an_outage_declared_moves_a_deadline(
    desk: BrowserContext, console_server: tuple[LiveServer, dict[str, Any]]
) -> None:
    page = desk.new_page()
    sign_in(page, officer_named(console_server, "console.supervisor"))
    open_due_person(page)
    before = page.get_by_test_id("deadlines").inner_text()
    moscow = datetime.now(UTC) + timedelta(hours=3)
    page.goto("/console/outages")
    page.locator("#starts_at").fill((moscow - timedelta(hours=60)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#ends_at").fill((moscow - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#o-reason").fill("Демо: сбой сервиса приёма геолокаций")
    page.get_by_role("button", name="Объявить").click()
    cell = page.get_by_test_id("moved-count").first
    for _ in range(20):
        if cell.inner_text().strip().isdigit():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert int(cell.inner_text()) >= 1
    checked(page, "outages")
    open_due_person(page)
    expect(page.get_by_test_id("moved")).to_contain_text("сбой сервиса приёма")
    assert page.get_by_test_id("deadlines").inner_text() != before
