"""Other agencies' systems: service keys, and the events they deliver (rules.md §5).

An event is idempotent by (source, source_ref): delivered twice, it has one effect. An event
that happened before the person's current registration never ends that registration: they left,
came back and registered again, and the old exit must not undo the new registration.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth.tokens import token_hash
from amina.config import Settings
from amina.db import insert_ignoring_conflict
from amina.errors import Conflict, InvalidInput, NotAuthenticated
from amina.integrations.models import EventOutcome, EventType, IntegrationEvent, ServiceKey
from amina.integrations.schemas import CardRef, EventIn
from amina.monitoring.deregistration import deregister
from amina.people import ids
from amina.people.models import Person
from amina.people.service import find_card, find_passport, normalise_country
from amina.registration import repo
from amina.rules.lifecycle import Ground

KEY_PREFIX = "amk_"
GROUNDS = {
    EventType.LEFT_COUNTRY: Ground.LEFT_COUNTRY,
    EventType.REGISTERED_ELSEWHERE: Ground.REGISTERED_ELSEWHERE,
    EventType.DEATH: Ground.DEATH,
}


def create_key(session: Session, *, now: datetime, actor: Actor, name: str) -> str:
    """A new key for another agency's system; only its hash is kept, so it is shown once."""
    name = name.strip()
    if not name:
        raise InvalidInput("a service key needs a name", code="name_required")
    if session.scalar(select(ServiceKey).where(ServiceKey.name == name)) is not None:
        raise Conflict("a service key with this name exists", code="service_key_exists")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    stored = ServiceKey(name=name, key_hash=token_hash(key), created_at=now)
    session.add(stored)
    session.flush()
    record(
        session,
        now=now,
        actor=actor,
        action="service_key.created",
        subject_type="service_key",
        subject_id=stored.id,
        data={"name": name},
    )
    return key


def authenticate(session: Session, *, now: datetime, bearer: str) -> ServiceKey:
    key = session.scalar(select(ServiceKey).where(ServiceKey.key_hash == token_hash(bearer)))
    if key is None or key.revoked_at is not None:
        raise NotAuthenticated("not a valid service key", code="invalid_service_key")
    key.last_used_at = now
    return key


def _find_person(session: Session, event: EventIn) -> Person | None:
    if isinstance(event.person, CardRef):
        document = find_card(session, ids.normalise_card_number(event.person.card_number))
    else:
        document = find_passport(
            session,
            normalise_country(event.person.citizenship),
            ids.normalise_passport_number(event.person.passport_number),
        )
    return session.get(Person, document.person_id) if document is not None else None


@dataclass(frozen=True)
class Received:
    event: IntegrationEvent
    duplicate: bool


def receive(
    session: Session, *, now: datetime, settings: Settings, key: ServiceKey, event: EventIn
) -> Received:
    if event.occurred_at > now + timedelta(seconds=settings.clock_skew_s):
        raise InvalidInput("occurred_at is in the future", code="invalid_occurred_at")
    person = _find_person(session, event)  # also validates the document numbers
    person_ref = event.person.model_dump()
    event_id = uuid.uuid4()
    # The unique (source, source_ref) decides who applies the event: a concurrent or repeated
    # delivery inserts nothing and reports the first one's outcome.
    inserted = insert_ignoring_conflict(
        session,
        IntegrationEvent,
        {
            "id": event_id,
            "source": event.source,
            "source_ref": event.source_ref,
            "type": event.type,
            "occurred_at": event.occurred_at,
            "received_at": now,
            "service_key_id": key.id,
            "person_id": person.id if person else None,
            "payload": {"person": person_ref},
            "outcome": EventOutcome.RECORDED,
        },
        ["source", "source_ref"],
    )
    if not inserted:
        existing = session.scalars(
            select(IntegrationEvent).where(
                IntegrationEvent.source == event.source,
                IntegrationEvent.source_ref == event.source_ref,
            )
        ).one()
        if existing.type is not event.type or existing.payload.get("person") != person_ref:
            raise Conflict(
                "this source_ref was already used for a different event", code="source_ref_conflict"
            )
        return Received(existing, True)
    stored = session.get_one(IntegrationEvent, event_id)
    stored.outcome = (
        EventOutcome.PERSON_NOT_FOUND
        if person is None
        else _apply(session, now=now, settings=settings, person=person, event=event)
    )
    record(
        session,
        now=now,
        actor=Actor("service", key.name),
        action="integration.event",
        subject_type="integration_event",
        subject_id=stored.id,
        person_id=person.id if person else None,
        data={"type": event.type.value, "outcome": stored.outcome.value},
    )
    return Received(stored, False)


def _apply(
    session: Session, *, now: datetime, settings: Settings, person: Person, event: EventIn
) -> EventOutcome:
    if event.type is EventType.DEATH and person.deceased_at is None:
        person.deceased_at, person.updated_at = event.occurred_at, now
    registration = repo.active_registration(session, person.id)
    if registration is None or registration.registered_at >= event.occurred_at:
        return EventOutcome.NO_ACTIVE_REGISTRATION
    deregister(
        session,
        now=now,
        settings=settings,
        registration=registration,
        ground=GROUNDS[event.type],
        actor=Actor("service", event.source),
        detail=f"{event.type.value} reported by {event.source} ({event.source_ref})",
        params={"occurred_on": event.occurred_at.date()},
    )
    return EventOutcome.DEREGISTERED
