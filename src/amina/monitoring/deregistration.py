"""Ending a registration (rules.md §5): the registration, its monitoring, and its case.

It lives in monitoring because monitoring's own sweep takes this step most often (no
geolocation); the integrations (another agency's event) and the demo data call it too. It joins
features below monitoring: registration (the row) and cases (the violation case a
no_geolocation deregistration opens, in the same transaction).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.cases import service as cases
from amina.config import Settings
from amina.monitoring import state as monitoring_state
from amina.notifications.catalog import json_params
from amina.notifications.service import notify
from amina.registration.models import Registration
from amina.rules.lifecycle import (
    REGISTRATION,
    CaseKind,
    Ground,
    RegistrationEvent,
)


def deregister(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    registration: Registration,
    ground: Ground,
    actor: Actor,
    detail: str | None = None,
    missed_since: datetime | None = None,
    params: dict[str, object] | None = None,
) -> Registration:
    """End a registration on a ground of rules.md §5, tell the person, and audit it.

    A no_geolocation deregistration also opens a violation case (rules.md §6).
    """
    registration.status = REGISTRATION.apply(registration.status, RegistrationEvent.DEREGISTER)
    registration.deregistered_at, registration.ground = now, ground
    registration.ground_detail, registration.missed_since = detail, missed_since
    monitoring_state.attach_registration(
        session, now=now, settings=settings, person_id=registration.person_id, registration_id=None
    )
    record(
        session,
        now=now,
        actor=actor,
        action="registration.deregistered",
        subject_type="registration",
        subject_id=registration.id,
        person_id=registration.person_id,
        reason=detail,
        data={"ground": ground.value},
    )
    if ground is Ground.NO_GEOLOCATION:
        cases.open_case(
            session,
            now=now,
            registration=registration,
            kind=CaseKind.VIOLATION,
            window_start=missed_since,
            window_end=now,
        )
    notify(
        session,
        now=now,
        person_id=registration.person_id,
        kind=f"deregistered_{ground.value}",
        window=str(registration.id),
        params=json_params(**(params or {})),
    )
    return registration
