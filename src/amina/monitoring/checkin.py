"""In-person check-ins at the MMC or a police station (rules.md §4): they count as monitoring,
for a person without a working phone."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.config import Settings
from amina.errors import InvalidInput
from amina.monitoring import state as monitoring_state
from amina.monitoring.models import Checkin, MonitoringSource
from amina.notifications.catalog import json_params, text
from amina.notifications.service import notify
from amina.people.models import Person

MAX_PLACE = 200


def check_in(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    person: Person,
    actor: Actor,
    place: str | None = None,
    officer_id: uuid.UUID | None = None,
) -> Checkin:
    place = (place or "").strip() or None
    if place is not None and len(place) > MAX_PLACE:
        raise InvalidInput(f"the place is at most {MAX_PLACE} characters", code="invalid_place")
    checkin = Checkin(person_id=person.id, officer_id=officer_id, place=place, at=now)
    session.add(checkin)
    session.flush()
    monitoring_state.advance(
        session,
        now=now,
        settings=settings,
        person_id=person.id,
        recorded_at=now,
        source=MonitoringSource.CHECKIN,
    )
    record(
        session,
        now=now,
        actor=actor,
        action="monitoring.checkin",
        subject_type="person",
        subject_id=person.id,
        data={"checkin_id": str(checkin.id), "place": place},
    )
    shown_place = place or text("place.unknown", person.language) or ""
    notify(
        session,
        now=now,
        person_id=person.id,
        kind="checkin_recorded",
        window=str(checkin.id),
        params=json_params(place=shown_place, checked_in_at=now),
    )
    return checkin
