"""Every route needs credentials unless it is on the explicit public list (issue 3)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import BaseRoute

from amina.context import AppContext
from amina.web.app import create_app

PUBLIC = {
    ("GET", "/api/v1/health"),
    ("GET", "/api/v1/config"),
    ("POST", "/api/v1/auth/challenges"),
    ("POST", "/api/v1/auth/sessions"),
    ("POST", "/api/v1/auth/refresh"),
    ("POST", "/api/v1/officer/sessions"),
    ("GET", "/verify/{token}"),
    ("GET", "/verify.css"),
}
# The app shell (HTML, JS, CSS, icons) is public by nature: it holds no personal data.
PUBLIC_MODULES = {"amina.web.routes.app_shell"}
# The API docs are public in development only (AMINA_API_DOCS; tests/web/test_api_docs.py).
PUBLIC_MODULES |= {"amina.web.routes.api_docs"}
SAMPLE = {"token": "x", "notification_id": "00000000-0000-0000-0000-000000000000"}


def api_routes(routes: Iterable[BaseRoute]) -> Iterator[APIRoute]:
    """Every API route, including those of included routers."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "original_router"):
            yield from api_routes(route.original_router.routes)


def test_the_walk_sees_every_documented_route(context: AppContext) -> None:
    app = create_app(context.settings, context=context)
    walked = {(m, r.path) for r in api_routes(app.routes) for m in r.methods}
    documented = {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }
    assert documented <= walked


def test_every_non_public_route_refuses_anonymous_calls(context: AppContext) -> None:
    app = create_app(context.settings, context=context)
    checked = 0
    with TestClient(app) as client:
        for route in api_routes(app.routes):
            if route.endpoint.__module__ in PUBLIC_MODULES:
                continue
            for method in route.methods:
                if (method, route.path) in PUBLIC:
                    continue
                path = re.sub(r"{(\w+)(:\w+)?}", lambda m: SAMPLE.get(m.group(1), "x"), route.path)
                response = client.request(method, path, json={})
                assert response.status_code == 401, (method, route.path, response.text)
                assert response.json()["error"]["code"] in {"not_authenticated"}
                checked += 1
    assert checked >= 15


def test_the_public_list_is_really_reachable_without_credentials(context: AppContext) -> None:
    app = create_app(context.settings, context=context)
    paths = {(m, r.path) for r in api_routes(app.routes) for m in r.methods}
    assert paths >= PUBLIC
