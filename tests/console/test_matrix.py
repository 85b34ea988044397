"""The role matrix, walked: every console page and officer-API route, for every role, answers
403 not_permitted exactly when amina.officers.permissions says the role may not (issue 11)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient

from amina.clock import FixedClock
from amina.context import AppContext
from amina.officers import second_factor as sf
from amina.officers.models import Role
from amina.officers.permissions import PERMISSIONS, allowed, matrix_markdown
from amina.web.access import ROUTE_ACTIONS
from amina.web.app import create_app
from tests.console.conftest import PASSWORD, Console
from tests.web.test_route_auth import CONSOLE_PUBLIC, api_routes

# Routes before the matrix applies: signing in, the second factor and its enrolment.
PRE_AUTH = CONSOLE_PUBLIC | {
    ("GET", "/console/enrol"),
    ("POST", "/console/enrol"),
    ("GET", "/console/second-factor"),
    ("POST", "/console/second-factor"),
    ("POST", "/api/v1/officer/sessions"),
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "console.md"
LAST = {("POST", "/console/sign-out")}  # it ends the session, so it is walked last


def officer_routes(context: AppContext) -> set[tuple[str, str]]:
    app = create_app(context.settings, context=context)
    return {
        (method, route.path)
        for route in api_routes(app.routes)
        for method in route.methods
        if route.path.startswith(("/console", "/api/v1/officer"))
    } - PRE_AUTH


def test_every_officer_route_is_in_the_matrix_and_every_line_is_a_route(
    context: AppContext,
) -> None:
    routes = officer_routes(context)
    assert routes - set(ROUTE_ACTIONS) == set(), "add these routes to web/access.py"
    assert set(ROUTE_ACTIONS) - routes == set(), "these lines name no route"
    assert set(ROUTE_ACTIONS.values()) <= set(PERMISSIONS)


def test_the_docs_show_the_matrix_the_server_enforces() -> None:
    assert matrix_markdown() in DOCS.read_text(encoding="utf-8")


def _path(template: str) -> str:
    sample = {"name": "steps", "language": "en"}
    return re.sub(r"{(\w+)}", lambda m: sample.get(m.group(1), str(uuid.uuid4())), template)


def _refused(response_status: int, body: str) -> bool:
    return response_status == 403 and ("not_permitted" in body)


def test_every_route_for_every_role_matches_the_matrix(
    console_as: Callable[..., Console], context: AppContext, clock: FixedClock
) -> None:
    routes = sorted(officer_routes(context), key=lambda r: (r in LAST, r))
    walked = 0
    for role in Role:
        console = console_as(role)
        clock.advance(timedelta(seconds=30))
        api = TestClient(create_app(context.settings, context=context))
        token = api.post(
            "/api/v1/officer/sessions",
            json={
                "username": console.username,
                "password": PASSWORD,
                "totp_code": sf.current_code(console.secret, clock.now()),
            },
        )
        assert token.status_code == 201, token.text
        headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
        csrf = console.csrf("/console/account")
        for method, template in routes:
            path = _path(template)
            if template.startswith("/console"):
                data = {"csrf": csrf} if method == "POST" else None
                response = console.client.request(method, path, data=data, follow_redirects=False)
                assert response.status_code != 303 or method == "POST", (role, template)
            else:
                response = api.request(method, path, json={}, headers=headers)
            expected = allowed(role, ROUTE_ACTIONS[(method, template)])
            refused = _refused(response.status_code, response.text)
            assert refused is not expected, (role.value, method, template, response.status_code)
            assert response.status_code < 500, (role.value, method, template, response.text)
            walked += 1
    assert walked == len(routes) * len(Role)
