"""Delivering the outbox: claim due deliveries, send, record the outcome.

Exactly once, even if a worker dies mid-send:
- a claim is a lease (`claimed_until`); a delivery whose worker died is claimed again later;
- the log backends send by writing a row in the same transaction that marks the delivery sent;
- real gateways get the delivery id as their idempotency key (SMS `Idempotency-Key`, Web Push
  `Topic`), so a resend after a crash is recognised and not delivered twice.
Failures are retried with exponential backoff, and the status is recorded on each delivery.
"""

from __future__ import annotations

import logging
import uuid
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from amina.config import Settings
from amina.db import Database
from amina.notifications import catalog
from amina.notifications.models import Channel, Delivery, Notification
from amina.notifications.push import Push, PushError, PushSender
from amina.notifications.sms import SmsError, SmsSender
from amina.notifications.subscriptions import active_subscriptions
from amina.people.models import Person
from amina.rules.lifecycle import DELIVERY, DeliveryEvent, DeliveryStatus

log = logging.getLogger("amina.delivery")
LEASE = timedelta(minutes=2)
MAX_BACKOFF = timedelta(hours=6)


def claim(session: Session, *, now: datetime, limit: int) -> list[uuid.UUID]:
    """Take up to `limit` due deliveries for this worker (others skip what is locked)."""
    rows = session.scalars(
        select(Delivery)
        .where(
            Delivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.SENDING]),
            Delivery.next_attempt_at <= now,
            or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
        )
        .order_by(Delivery.next_attempt_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for delivery in rows:
        delivery.status = DELIVERY.apply(delivery.status, DeliveryEvent.CLAIM)
        delivery.claimed_until = now + LEASE
        delivery.attempts += 1
    return [delivery.id for delivery in rows]


def backoff(settings: Settings, attempts: int) -> timedelta:
    return min(
        timedelta(seconds=settings.delivery_base_backoff_s * 2 ** (attempts - 1)), MAX_BACKOFF
    )


def _sms_text(rendered: catalog.Rendered) -> str:
    return rendered.sms or f"{rendered.title}. {rendered.body}"


def _send(
    session: Session,
    *,
    now: datetime,
    delivery: Delivery,
    notification: Notification,
    person: Person,
    sms: SmsSender,
    push: PushSender,
) -> DeliveryEvent:
    rendered = catalog.render(notification.kind, person.language, notification.params)
    if delivery.channel is Channel.SMS:
        sms.send(
            session,
            now=now,
            phone=person.phone,
            text=_sms_text(rendered),
            idempotency_key=f"delivery:{delivery.id}",
        )
        return DeliveryEvent.SUCCEED
    subscriptions = active_subscriptions(session, person.id)
    message = Push(rendered.title, rendered.body, "/#/notifications", delivery.id.hex)
    delivered = False
    for subscription in subscriptions:
        outcome = push.send(
            session,
            now=now,
            subscription=subscription,
            push=message,
            idempotency_key=f"delivery:{delivery.id}:{subscription.id}",
        )
        if outcome.gone:
            subscription.revoked_at = now
        delivered = delivered or outcome.delivered
    return DeliveryEvent.SUCCEED if delivered else DeliveryEvent.SKIP


def deliver(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    delivery_id: uuid.UUID,
    sms: SmsSender,
    push: PushSender,
) -> str:
    """Send one claimed delivery and record how it went."""
    delivery = session.get(Delivery, delivery_id, with_for_update=True)
    if delivery is None or delivery.status is not DeliveryStatus.SENDING:
        return "not_claimed"
    notification = session.get_one(Notification, delivery.notification_id)
    person = session.get_one(Person, notification.person_id)
    if delivery.attempts > settings.delivery_max_attempts:
        event, error = DeliveryEvent.GIVE_UP, delivery.last_error
    else:
        try:
            with session.begin_nested():
                event, error = (
                    _send(
                        session,
                        now=now,
                        delivery=delivery,
                        notification=notification,
                        person=person,
                        sms=sms,
                        push=push,
                    ),
                    None,
                )
        except (SmsError, PushError) as failure:
            error = str(failure)[:500]
            event = (
                DeliveryEvent.GIVE_UP
                if delivery.attempts >= settings.delivery_max_attempts
                else DeliveryEvent.RETRY
            )
    delivery.status = DELIVERY.apply(delivery.status, event)
    delivery.claimed_until, delivery.last_error = None, error
    if event is DeliveryEvent.SUCCEED:
        delivery.sent_at = now
    elif event is DeliveryEvent.RETRY:
        delivery.next_attempt_at = now + backoff(settings, delivery.attempts)
    return delivery.status.value


def deliver_due(
    db: Database,
    *,
    now: Callable[[], datetime],
    settings: Settings,
    sms: SmsSender,
    push: PushSender,
    batch_size: int = 100,
) -> Counter[str]:
    """Deliver everything that is due: claim a batch, then each delivery in its own unit."""
    counts: Counter[str] = Counter()
    while True:
        with db.unit_of_work() as session:
            claimed = claim(session, now=now(), limit=batch_size)
        for delivery_id in claimed:
            try:
                with db.unit_of_work() as session:
                    counts[
                        deliver(
                            session,
                            now=now(),
                            settings=settings,
                            delivery_id=delivery_id,
                            sms=sms,
                            push=push,
                        )
                    ] += 1
            except Exception:
                # Left claimed: the lease runs out and it is tried again, counted as an attempt.
                log.exception("delivery failed unexpectedly; it will be retried")
                counts["error"] += 1
        if len(claimed) < batch_size:
            return counts
