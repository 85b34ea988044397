"""Console sessions: idle and absolute limits, sign-out on the server, a password change ends
the other sessions, CSRF on forms, and the lock notice (issue 11)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from amina.audit.models import AuditEvent
from amina.clock import FixedClock
from amina.context import AppContext
from amina.officers import second_factor as sf
from amina.officers.models import Role
from amina.web.app import create_app
from tests.console.conftest import CSRF, PASSWORD, Console, console_sign_in, enrolled_officer


def signed_out(client: TestClient, path: str = "/console/home") -> bool:
    response = client.get(path, follow_redirects=False)
    return response.status_code == 303 and response.headers["location"].startswith("/console?")


def test_fifteen_idle_minutes_end_a_session(
    console_as: Callable[..., Console], clock: FixedClock
) -> None:
    c = console_as(Role.MMC_OFFICER)
    clock.advance(timedelta(minutes=14))
    assert not signed_out(c.client)
    clock.advance(timedelta(minutes=14))  # active 14 min ago: still fine
    assert not signed_out(c.client)
    clock.advance(timedelta(minutes=15, seconds=1))
    assert signed_out(c.client)


def test_twelve_hours_end_a_session_however_busy(
    console_as: Callable[..., Console], clock: FixedClock
) -> None:
    c = console_as(Role.MMC_OFFICER)
    for _ in range(12 * 6 - 1):
        clock.advance(timedelta(minutes=10))
        assert not signed_out(c.client)
    clock.advance(timedelta(minutes=10))
    assert signed_out(c.client)


def test_sign_out_ends_the_session_on_the_server(console_as: Callable[..., Console]) -> None:
    c = console_as(Role.SUPERVISOR)
    cookie = c.client.cookies.get("amina_console")
    assert cookie
    response = c.post("/console/sign-out")
    assert response.status_code == 303
    c.client.cookies.set("amina_console", cookie, path="/console")  # a stolen copy
    assert signed_out(c.client)


def test_a_password_change_ends_every_other_session(context: AppContext, clock: FixedClock) -> None:
    _officer, secret = enrolled_officer(context, clock, "olga", Role.MMC_OFFICER)
    one = TestClient(create_app(context.settings, context=context))
    two = TestClient(create_app(context.settings, context=context))
    console_sign_in(one, "olga", secret, clock)
    console_sign_in(two, "olga", secret, clock)
    clock.advance(timedelta(seconds=30))
    token = one.post(
        "/api/v1/officer/sessions",
        json={
            "username": "olga",
            "password": PASSWORD,
            "totp_code": sf.current_code(secret, clock.now()),
        },
    ).json()["access_token"]
    api = {"Authorization": f"Bearer {token}"}
    assert one.get("/api/v1/officer/cases", headers=api).status_code == 200
    csrf = CSRF.search(one.get("/console/account").text)
    assert csrf
    wrong = one.post(
        "/console/account/password",
        data={"csrf": csrf.group(1), "current_password": "not it at all", "new_password": "x" * 12},
    )
    assert wrong.status_code == 422 and not signed_out(one) and not signed_out(two)
    changed = one.post(
        "/console/account/password",
        data={
            "csrf": csrf.group(1),
            "current_password": PASSWORD,
            "new_password": "a new and longer password",
        },
    )
    assert changed.status_code == 200, changed.text
    assert not signed_out(one)
    assert signed_out(two)
    assert one.get("/api/v1/officer/cases", headers=api).status_code == 401


def test_a_form_without_its_csrf_token_changes_nothing(
    console_as: Callable[..., Console], context: AppContext
) -> None:
    c = console_as(Role.SUPERVISOR)
    response = c.client.post(
        "/console/outages",
        data={"starts_at": "2026-11-20T10:00", "ends_at": "2026-11-20T12:00", "reason": "x"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert 'data-code="csrf_failed"' in response.text
    with context.db.unit_of_work(readonly=True) as session:
        assert not session.scalars(
            select(AuditEvent).where(AuditEvent.action == "outage.declared")
        ).all()
    assert c.client.post("/console/sign-out", follow_redirects=False).status_code == 403


def test_wrong_codes_at_the_console_lock_and_the_officer_is_told_next_time(
    context: AppContext, clock: FixedClock
) -> None:
    _officer, secret = enrolled_officer(context, clock, "boris", Role.MMC_OFFICER)
    client = TestClient(create_app(context.settings, context=context))
    page = client.get("/console")
    csrf = CSRF.search(page.text)
    assert csrf
    client.post(
        "/console/sign-in", data={"csrf": csrf.group(1), "username": "boris", "password": PASSWORD}
    )
    for attempt in range(5):
        form = CSRF.search(client.get("/console/second-factor").text)
        assert form, attempt
        response = client.post(
            "/console/second-factor",
            data={"csrf": form.group(1), "code": "000000"},
            follow_redirects=False,
        )
    assert response.headers["location"] == "/console?error=account_locked"
    clock.advance(timedelta(hours=2, minutes=1))
    landing = console_sign_in(client, "boris", secret, clock)
    assert landing == "/console/home?locked_notice=1"
    home = client.get(landing)
    assert 'data-testid="lock-notice"' in home.text
    with context.db.unit_of_work(readonly=True) as session:
        assert session.scalars(
            select(AuditEvent.action).where(AuditEvent.action == "officer.locked")
        ).all()
    clock.advance(timedelta(minutes=20))
    client.cookies.clear()
    assert console_sign_in(client, "boris", secret, clock) == "/console/home"  # told once
