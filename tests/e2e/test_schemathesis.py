"""A bounded Schemathesis run over the OpenAPI document (issue 3): no input makes a 5xx.

Driven programmatically (each operation's Hypothesis strategy) rather than through the
Schemathesis pytest plugin, which does not run under this pytest version.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from amina.context import AppContext
from amina.web.app import create_app
from tests.conftest import Recorded
from tests.support.migrant import Migrant

EXAMPLES_PER_OPERATION = 40


@pytest.mark.settings(
    sends_per_identifier_per_hour=100, sends_per_phone_per_hour=100, sends_per_ip_per_hour=1000
)
def test_no_input_makes_a_server_error(
    context: AppContext, registered: tuple[Recorded, Migrant]
) -> None:
    person, migrant = registered
    app = create_app(context.settings, context=context)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 20

    for operation in operations:
        # Signed in (afresh if an operation signed out), so that the protected operations
        # are exercised past the 401.
        if migrant.get("/api/v1/me").status_code != 200:
            migrant.sign_in(person.card_number, person.birth_date)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            case.call_and_validate(headers=migrant.auth, checks=[not_a_server_error])

        call()
