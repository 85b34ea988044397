"""Fixtures for the appointment tests: officers, and people signed in to book."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.clock import FixedClock
from amina.context import AppContext
from amina.officers.models import Role
from amina.officers.service import add_officer
from tests.conftest import Recorded
from tests.support.migrant import Migrant

PASSWORD = "correct horse battery staple"


@pytest.fixture
def officer(context: AppContext, client: TestClient, clock: FixedClock) -> Callable[..., Any]:
    """officer("anna", Role.SUPERVISOR) → Authorization headers for a new officer."""

    def make(username: str, role: Role = Role.MMC_OFFICER) -> dict[str, str]:
        with context.db.unit_of_work() as session:
            add_officer(
                session,
                now=clock.now(),
                actor=Actor("cli", "t"),
                username=username,
                display_name=username.title(),
                role=role,
                password=PASSWORD,
            )
        response = client.post(
            "/api/v1/officer/sessions", json={"username": username, "password": PASSWORD}
        )
        assert response.status_code == 201, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}

    return make


@pytest.fixture
def migrant(
    add_person: Callable[..., Recorded], migrant_for: Callable[[Recorded], Migrant]
) -> Callable[[], tuple[Recorded, Migrant]]:
    """Another person, registered and signed in."""

    def make() -> tuple[Recorded, Migrant]:
        person = add_person()
        phone = migrant_for(person)
        phone.sign_in(person.card_number, person.birth_date)
        assert phone.register().status_code == 201
        return person, phone

    return make
