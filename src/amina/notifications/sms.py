"""Sending SMS, behind a small interface with two backends.

- `log` (development and tests): the message is kept in `sms_messages`, in the caller's
  transaction, and `amina sms list` shows it. Nothing leaves the machine.
- `http`: a configurable gateway. POST JSON `{"to", "text"}` with a bearer token and an
  `Idempotency-Key`, so a retried send after a crash is recognised by the gateway.
  Only a redacted copy is kept (one-time codes never reach the database).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import httpx
from sqlalchemy.orm import Session

from amina.config import Settings
from amina.notifications.models import SmsMessage

_DIGITS = re.compile(r"\b\d{6}\b")


class SmsError(Exception):
    """The gateway refused or could not be reached; the caller retries later."""


class SmsSender(Protocol):
    name: str
    # True: sending is a database write that belongs in the caller's transaction.
    in_transaction: bool

    def send(
        self, session: Session, *, now: datetime, phone: str, text: str, idempotency_key: str
    ) -> str | None: ...


class LogSmsSender:
    name = "log"
    in_transaction = True

    def send(
        self, session: Session, *, now: datetime, phone: str, text: str, idempotency_key: str
    ) -> str | None:
        session.add(
            SmsMessage(
                phone=phone,
                text=text,
                sent_at=now,
                backend=self.name,
                idempotency_key=idempotency_key,
            )
        )
        session.flush()
        return None


@dataclass
class HttpSmsSender:
    url: str
    token: str | None
    timeout_s: float = 10.0
    transport: httpx.BaseTransport | None = None
    name: str = "http"
    in_transaction: bool = False

    def send(
        self, session: Session, *, now: datetime, phone: str, text: str, idempotency_key: str
    ) -> str | None:
        headers = {"Idempotency-Key": idempotency_key}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        try:
            with httpx.Client(timeout=self.timeout_s, transport=self.transport) as client:
                response = client.post(self.url, json={"to": phone, "text": text}, headers=headers)
        except httpx.HTTPError as error:
            raise SmsError(f"gateway unreachable: {type(error).__name__}") from error
        if response.status_code >= 300:
            raise SmsError(f"gateway answered {response.status_code}")
        reference = None
        if response.headers.get("content-type", "").startswith("application/json"):
            body = response.json()
            reference = str(body.get("id")) if isinstance(body, dict) and "id" in body else None
        session.add(
            SmsMessage(
                phone=phone,
                text=_DIGITS.sub("••••••", text),
                sent_at=now,
                backend=self.name,
                idempotency_key=idempotency_key,
                provider_ref=reference,
            )
        )
        session.flush()
        return reference


def sms_sender(settings: Settings) -> SmsSender:
    if settings.effective_sms_backend == "http":
        if not settings.sms_http_url:
            raise ValueError("AMINA_SMS_HTTP_URL is required for the http SMS backend")
        token = settings.sms_http_token.get_secret_value() if settings.sms_http_token else None
        return HttpSmsSender(settings.sms_http_url, token, settings.sms_http_timeout_s)
    return LogSmsSender()
