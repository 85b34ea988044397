"""`/me/export`: everything Amina holds about a person, as JSON (the right of access).

It includes who looked at their record and why: every audited event about them.
"""

from __future__ import annotations

import base64
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import DeclarativeBase, Session

from amina.audit.models import AuditEvent
from amina.auth.models import AuthSession, Device
from amina.cases.models import Case, RegistryEntry
from amina.config import Settings
from amina.integrations.models import IntegrationEvent
from amina.monitoring.models import (
    Checkin,
    DailyPresence,
    LocationReport,
    MonitoringState,
    StepTaken,
)
from amina.notifications import catalog
from amina.notifications.models import Delivery, Notification, PushSubscription, SmsMessage
from amina.people.models import Document, Person
from amina.profile.service import me_document
from amina.registration.models import Registration, Residence

# Columns never exported: secrets and internal verifiers.
HIDDEN = frozenset({"owntracks_secret_hash", "token_hash", "code_hash", "password_hash"})


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.urlsafe_b64encode(value).decode().rstrip("=")
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value.value if hasattr(value, "value") else value


def _row(row: DeclarativeBase) -> dict[str, Any]:
    return {
        column.key: _value(getattr(row, column.key))
        for column in row.__mapper__.column_attrs
        if column.key not in HIDDEN
    }


def _rows(session: Session, model: Any, *where: Any, order: Any = None) -> list[dict[str, Any]]:
    query = select(model).where(*where)
    if order is not None:
        query = query.order_by(order)
    return [_row(row) for row in session.scalars(query)]


def export(
    session: Session, person: Person, *, now: datetime, settings: Settings
) -> dict[str, Any]:
    pid = person.id
    notifications = session.scalars(
        select(Notification).where(Notification.person_id == pid).order_by(Notification.created_at)
    ).all()
    notification_ids = [n.id for n in notifications]
    return {
        "exported_at": now.isoformat(),
        "summary": me_document(session, person, now=now, settings=settings).model_dump(mode="json"),
        "person": _row(person),
        "documents": _rows(session, Document, Document.person_id == pid),
        "registrations": _rows(
            session, Registration, Registration.person_id == pid, order=Registration.registered_at
        ),
        "residences": _rows(
            session, Residence, Residence.person_id == pid, order=Residence.reported_at
        ),
        "devices": _rows(session, Device, Device.person_id == pid, order=Device.created_at),
        "sessions": _rows(
            session, AuthSession, AuthSession.person_id == pid, order=AuthSession.created_at
        ),
        "monitoring": _rows(session, MonitoringState, MonitoringState.person_id == pid),
        "monitoring_steps": _rows(
            session, StepTaken, StepTaken.person_id == pid, order=StepTaken.taken_at
        ),
        "location_reports": _rows(
            session,
            LocationReport,
            LocationReport.person_id == pid,
            order=LocationReport.recorded_at,
        ),
        "daily_presence": _rows(
            session, DailyPresence, DailyPresence.person_id == pid, order=DailyPresence.day
        ),
        "checkins": _rows(session, Checkin, Checkin.person_id == pid, order=Checkin.at),
        "notifications": [
            {**_row(n), **catalog.render(n.kind, person.language, n.params).__dict__}
            for n in notifications
        ],
        "deliveries": _rows(session, Delivery, Delivery.notification_id.in_(notification_ids))
        if notification_ids
        else [],
        "push_subscriptions": _rows(session, PushSubscription, PushSubscription.person_id == pid),
        "sms_messages": _rows(
            session, SmsMessage, SmsMessage.phone == person.phone, order=SmsMessage.sent_at
        ),
        "cases": _rows(session, Case, Case.person_id == pid, order=Case.opened_at),
        "registry_entries": _rows(session, RegistryEntry, RegistryEntry.person_id == pid),
        "integration_events": _rows(session, IntegrationEvent, IntegrationEvent.person_id == pid),
        "audit_events": _rows(
            session, AuditEvent, AuditEvent.person_id == pid, order=AuditEvent.seq
        ),
    }
