"""Queries on sent SMS (no commits)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.notifications.models import SmsMessage


def sent_sms(session: Session, *, phone: str | None = None, limit: int = 100) -> list[SmsMessage]:
    query = select(SmsMessage)
    if phone:
        query = query.where(SmsMessage.phone == phone)
    return list(
        session.scalars(
            query.order_by(SmsMessage.sent_at.desc(), SmsMessage.id.desc()).limit(limit)
        )
    )
