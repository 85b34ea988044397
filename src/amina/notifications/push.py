"""Sending Web Push, behind a small interface with two backends.

- `log` (development and tests): the push is kept in `push_messages`, in the caller's
  transaction; nothing leaves the machine.
- `webpush`: RFC 8030 Web Push with RFC 8291 encryption and VAPID (pywebpush), signed with the
  service's VAPID key. The `Topic` header is the delivery id, so a push resent after a crash
  replaces the undelivered copy at the push service instead of arriving twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from py_vapid import Vapid
from pywebpush import WebPushException, webpush
from sqlalchemy.orm import Session

from amina.config import Settings
from amina.notifications.models import PushMessage, PushSubscription

GONE_STATUSES = frozenset({404, 410})
PUSH_TTL_S = 24 * 3600


class PushError(Exception):
    """The push service refused or could not be reached; retried later."""


@dataclass(frozen=True)
class Push:
    title: str
    body: str
    url: str
    topic: str  # ≤ 32 URL-safe characters

    def payload(self) -> str:
        return json.dumps(
            {"title": self.title, "body": self.body, "url": self.url}, ensure_ascii=False
        )


@dataclass(frozen=True)
class PushOutcome:
    delivered: bool
    gone: bool = False  # the subscription no longer exists: stop using it


class PushSender(Protocol):
    name: str

    def send(
        self,
        session: Session,
        *,
        now: datetime,
        subscription: PushSubscription,
        push: Push,
        idempotency_key: str,
    ) -> PushOutcome: ...


def _keep(
    session: Session,
    *,
    now: datetime,
    subscription: PushSubscription,
    push: Push,
    backend: str,
    idempotency_key: str,
    status: int | None,
) -> None:
    session.add(
        PushMessage(
            person_id=subscription.person_id,
            subscription_id=subscription.id,
            title=push.title,
            body=push.body,
            sent_at=now,
            backend=backend,
            idempotency_key=idempotency_key,
            status_code=status,
        )
    )
    session.flush()


class LogPushSender:
    name = "log"

    def send(
        self,
        session: Session,
        *,
        now: datetime,
        subscription: PushSubscription,
        push: Push,
        idempotency_key: str,
    ) -> PushOutcome:
        _keep(
            session,
            now=now,
            subscription=subscription,
            push=push,
            backend=self.name,
            idempotency_key=idempotency_key,
            status=None,
        )
        return PushOutcome(delivered=True)


@dataclass
class WebPushSender:
    vapid_private_pem: str
    subject: str
    timeout_s: float = 10.0
    name: str = "webpush"

    def send(
        self,
        session: Session,
        *,
        now: datetime,
        subscription: PushSubscription,
        push: Push,
        idempotency_key: str,
    ) -> PushOutcome:
        info: dict[str, Any] = {
            "endpoint": subscription.endpoint,
            "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
        }
        try:
            response = webpush(
                info,
                data=push.payload(),
                vapid_private_key=Vapid.from_pem(self.vapid_private_pem.encode()),
                vapid_claims={"sub": self.subject},
                ttl=PUSH_TTL_S,
                timeout=self.timeout_s,
                headers={"Topic": push.topic, "Urgency": "high"},
            )
        except WebPushException as error:
            status = getattr(error.response, "status_code", None)
            if status in GONE_STATUSES:
                return PushOutcome(delivered=False, gone=True)
            raise PushError(f"push service answered {status}") from error
        except Exception as error:  # network errors surface as requests' own exceptions
            raise PushError(f"push service unreachable: {type(error).__name__}") from error
        _keep(
            session,
            now=now,
            subscription=subscription,
            push=push,
            backend=self.name,
            idempotency_key=idempotency_key,
            status=getattr(response, "status_code", None),
        )
        return PushOutcome(delivered=True)


def push_sender(settings: Settings, vapid_private_pem: str) -> PushSender:
    if settings.effective_push_backend == "webpush":
        return WebPushSender(vapid_private_pem, settings.vapid_subject)
    return LogPushSender()
