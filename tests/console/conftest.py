"""Console fixtures: officers of every role, signed in through the console's own forms."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.officers import second_factor as sf
from amina.officers.models import Officer, Role
from amina.officers.service import add_officer
from amina.web.app import create_app

PASSWORD = "correct horse battery staple"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Console:
    client: TestClient
    officer_id: str
    username: str
    secret: str
    clock: FixedClock

    def csrf(self, path: str = "/console/home") -> str:
        page = self.client.get(path)
        match = CSRF.search(page.text)
        assert match, (path, page.status_code, page.text[:300])
        return match.group(1)

    def post(self, path: str, data: dict[str, object] | None = None, page: str = "/console/home"):  # type: ignore[no-untyped-def]
        return self.client.post(
            path, data={"csrf": self.csrf(page), **(data or {})}, follow_redirects=False
        )


def enrolled_officer(
    context: AppContext, clock: FixedClock, username: str, role: Role
) -> tuple[Officer, str]:
    with context.db.unit_of_work() as session:
        officer = add_officer(
            session,
            now=clock.now(),
            actor=Actor("cli", "t"),
            username=username,
            display_name=username.title(),
            role=role,
            password=PASSWORD,
        )
        secret = sf.new_secret()
        officer.totp_secret = sf.seal(context.keys, secret)
        officer.totp_enrolled_at = clock.now()
    return officer, secret


def api_headers(
    context: AppContext,
    clock: FixedClock,
    client: TestClient,
    role: Role,
    district: str | None = None,
) -> dict[str, str]:
    """A new officer of `role` (and district), signed in to the officer API with a second factor."""
    officer, secret = enrolled_officer(context, clock, f"api{uuid.uuid4().hex[:6]}", role)
    if district is not None:
        with context.db.unit_of_work() as session:
            session.get_one(Officer, officer.id).district = district
    clock.advance(timedelta(seconds=30))
    response = client.post(
        "/api/v1/officer/sessions",
        json={
            "username": officer.username,
            "password": PASSWORD,
            "totp_code": sf.current_code(secret, clock.now()),
        },
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def console_sign_in(client: TestClient, username: str, secret: str, clock: FixedClock) -> str:
    page = client.get("/console")
    csrf = CSRF.search(page.text)
    assert csrf
    response = client.post(
        "/console/sign-in",
        data={"csrf": csrf.group(1), "username": username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/console/second-factor", response.text
    page = client.get("/console/second-factor")
    csrf = CSRF.search(page.text)
    assert csrf
    clock.advance(timedelta(seconds=30))  # a fresh TOTP step for every sign-in
    response = client.post(
        "/console/second-factor",
        data={"csrf": csrf.group(1), "code": sf.current_code(secret, clock.now())},
        follow_redirects=False,
    )
    assert response.headers["location"].startswith("/console/home"), response.text
    return str(response.headers["location"])


@pytest.fixture
def console_as(context: AppContext, clock: FixedClock) -> Callable[..., Console]:
    """console_as(Role.SUPERVISOR) → a TestClient signed in to the console with that role."""
    made: list[TestClient] = []

    def make(role: Role, username: str | None = None) -> Console:
        name = username or f"{role.value.replace('_', '')}{len(made)}"
        officer, secret = enrolled_officer(context, clock, name, role)
        client = TestClient(create_app(context.settings, context=context))
        client.__enter__()
        made.append(client)
        console_sign_in(client, name, secret, clock)
        return Console(client, str(officer.id), name, secret, clock)

    yield make  # type: ignore[misc]
    for client in made:
        client.__exit__(None, None, None)
