"""The newcomer's first minutes: `amina demo`'s printed card signs in, in the real app.

Everything the test types comes from the demo's human output, and the one-time code from the
command the demo prints, run exactly as printed.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import catalog, pick_language_and_continue, shot
from tests.support.server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.server]
ROW = re.compile(
    r"^\s*(?P<card>77\d{10})\s+(?P<birth>\d{4}-\d{2}-\d{2})\s+(?P<country>[A-Z]{2}) "
    r"(?P<passport>[A-Z0-9]+)\s+(?P<lang>[a-z]{2})\s+(?P<state>.+?)\s*$",
    re.M,
)
CODE = re.compile(r"\b(\d{6})\b")


def printed_demo(server: LiveServer) -> tuple[list[dict[str, str]], str]:
    out = server.cli("demo").stdout
    rows = [match.groupdict() for match in ROW.finditer(out)]
    sms_line = next(line for line in out.splitlines() if line.strip().endswith(" sms list"))
    return rows, sms_line.strip()


def code_from(server: LiveServer, command: str) -> str:
    """Run the demo's printed command as a newcomer would, from the directory it names."""
    args = shlex.split(command)
    assert Path(args[0]).name == "amina"
    cwd = Path(sys.executable).parents[2] if not Path(args[0]).is_absolute() else None
    out = subprocess.run(
        args, env=server.env, cwd=cwd, capture_output=True, text=True, check=True
    ).stdout
    match = CODE.search(out)
    assert match, out
    return match.group(1)


def test_sign_in_with_the_demo_card_as_printed(page: Page, app_server: LiveServer) -> None:
    rows, sms_command = printed_demo(app_server)
    assert len(rows) >= 6
    text = catalog("ru")
    pick_language_and_continue(page, "ru")
    # The app's own check (the one that refused the old demo cards) accepts every card.
    problems = page.evaluate(
        """async (cards) => {
            const { cardNumberProblem } = await import("/app/js/screens/signin.js");
            return cards.map((card) => cardNumberProblem(card));
        }""",
        [row["card"] for row in rows],
    )
    assert problems == [None] * len(rows)

    person = next(row for row in rows if row["state"].startswith("not registered"))
    year, month, day = person["birth"].split("-")
    page.locator('input[name="card"]').fill(person["card"])
    page.locator('input[name="dob-d"]').fill(day)
    page.locator('input[name="dob-m"]').fill(month)
    page.locator('input[name="dob-y"]').fill(year)
    page.get_by_role("button", name=text["get_code"]).click()
    expect(page.get_by_role("heading", name=text["code_title"])).to_be_visible()
    shot(page, "40-demo-code")

    # Hold /me back after the code is accepted: the resend timer keeps ticking meanwhile, and
    # must not touch the challenge that signing in has cleared (a console error otherwise).
    def slow_me(route: Route) -> None:
        time.sleep(1.5)  # the browser runs on; only this handler waits
        route.continue_()

    page.route("**/api/v1/me", slow_me)
    page.locator('input[name="code"]').fill(code_from(app_server, sms_command))
    expect(page.get_by_role("heading", name=text["consent_title"])).to_be_visible()
    page.wait_for_timeout(1200)  # a tick or two on the next screen, too
    shot(page, "41-demo-signed-in")
