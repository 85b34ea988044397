"""A bounded fuzz pass over every operation with NUL bytes and control characters in every
string (issue 9: Schemathesis alone missed the NUL → 500 on PostgreSQL). Each case comes from
Schemathesis' strategy for the operation; then its string values (body and query) are swapped
for strings drawn from control characters, lone surrogates and combining marks. No case may
answer 5xx. Migrant, officer and agency routes each get their own credentials."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.integrations.service import create_key
from amina.officers.models import Role
from amina.officers.service import add_officer
from amina.web.app import create_app
from tests.conftest import Recorded
from tests.support.migrant import Migrant

EXAMPLES_PER_OPERATION = 12
PASSWORD = "correct horse battery staple"
# (Lone surrogates cannot even be sent by the client; test_text_input covers them.)
ALPHABET = ["\x00", "\x01", "\x08", "\x1b", "\x1f", "\x7f", "\x85", "\n", "\r", "\t"]
ALPHABET += ["\u0301", "\u202e", "\ufeff", "a", "7", "й"]
NASTY = st.text(alphabet=st.sampled_from(ALPHABET), min_size=1, max_size=12)


def _poison(value: Any, data: st.DataObject) -> Any:
    if isinstance(value, str):
        return data.draw(NASTY) if data.draw(st.booleans()) else value
    if isinstance(value, dict):
        return {key: _poison(item, data) for key, item in value.items()}
    if isinstance(value, list):
        return [_poison(item, data) for item in value]
    return value


def _officer_headers(context: AppContext, client: TestClient, clock: FixedClock) -> dict[str, str]:
    response = client.post(
        "/api/v1/officer/sessions", json={"username": "fuzz-supervisor", "password": PASSWORD}
    )
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


def _fuzz(operation: Any, headers: dict[str, str]) -> int:
    calls = 0

    @given(case=operation.as_strategy(), data=st.data())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def call(case: Any, data: st.DataObject) -> None:
        nonlocal calls
        if isinstance(case.body, dict | list):
            case.body = _poison(case.body, data)
        if case.query:
            case.query = _poison(dict(case.query), data)
        case.call_and_validate(headers=headers, checks=[not_a_server_error])
        calls += 1

    call()
    return calls


@pytest.mark.slow
@pytest.mark.settings(
    sends_per_identifier_per_hour=1000, sends_per_phone_per_hour=1000, sends_per_ip_per_hour=10000
)
def test_control_characters_never_make_a_server_error(
    context: AppContext,
    client: TestClient,
    clock: FixedClock,
    registered: tuple[Recorded, Migrant],
) -> None:
    person, migrant = registered
    with context.db.unit_of_work() as session:
        add_officer(
            session,
            now=clock.now(),
            actor=Actor("cli", "t"),
            username="fuzz-supervisor",
            display_name="Fuzz",
            role=Role.SUPERVISOR,
            password=PASSWORD,
        )
        agency = {
            "Authorization": "Bearer "
            + create_key(session, now=clock.now(), actor=Actor("cli", "t"), name="fuzz")
        }
    app = create_app(context.settings, context=context)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20
    calls = 0

    for operation in operations:
        if operation.path.startswith("/api/v1/officer"):
            headers = _officer_headers(context, client, clock)
        elif operation.path.startswith("/api/v1/integrations"):
            headers = agency
        else:
            if migrant.get("/api/v1/me").status_code != 200:
                migrant.sign_in(person.card_number, person.birth_date)
            headers = migrant.auth

        calls += _fuzz(operation, headers)
    assert calls >= EXAMPLES_PER_OPERATION * 20
