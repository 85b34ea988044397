"""Web Push subscriptions: where a person's browsers want notifications pushed."""

from __future__ import annotations

import binascii
import uuid
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from amina.auth.devices import b64url_decode
from amina.errors import Conflict, InvalidInput
from amina.notifications.models import PushSubscription

P256_POINT_BYTES = 65  # an uncompressed P-256 public key
AUTH_SECRET_BYTES = 16
LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def _check_key(value: str, length: int, field: str) -> None:
    try:
        if len(b64url_decode(value)) != length:
            raise ValueError("wrong length")
    except (ValueError, binascii.Error):
        raise InvalidInput(
            f"keys.{field} is not a valid Web Push key", code="invalid_subscription"
        ) from None


def check_endpoint(endpoint: str, *, allow_local_http: bool) -> None:
    parts = urlsplit(endpoint)
    local_http = parts.scheme == "http" and parts.hostname in LOCAL_HOSTS and allow_local_http
    if not (parts.scheme == "https" or local_http) or not parts.hostname:
        raise InvalidInput("the push endpoint must be an https URL", code="invalid_subscription")


def subscribe(
    session: Session,
    *,
    now: datetime,
    person_id: uuid.UUID,
    device_id: uuid.UUID | None,
    endpoint: str,
    p256dh: str,
    auth: str,
    allow_local_http: bool,
) -> PushSubscription:
    check_endpoint(endpoint, allow_local_http=allow_local_http)
    _check_key(p256dh, P256_POINT_BYTES, "p256dh")
    _check_key(auth, AUTH_SECRET_BYTES, "auth")
    existing = session.scalar(
        select(PushSubscription).where(PushSubscription.endpoint == endpoint).with_for_update()
    )
    if existing is None:
        return _insert(session, now, person_id, device_id, endpoint, p256dh, auth)
    if existing.revoked_at is None and existing.person_id != person_id:
        # An endpoint belongs to the device that registered it. Another account posting it is
        # someone trying to receive (or silence) that person's notifications.
        raise Conflict(
            "this push endpoint is registered to another account", code="push_endpoint_taken"
        )
    existing.person_id, existing.device_id = person_id, device_id
    existing.p256dh, existing.auth, existing.revoked_at = p256dh, auth, None
    session.flush()
    return existing


def _insert(
    session: Session,
    now: datetime,
    person_id: uuid.UUID,
    device_id: uuid.UUID | None,
    endpoint: str,
    p256dh: str,
    auth: str,
) -> PushSubscription:
    subscription = PushSubscription(
        endpoint=endpoint,
        created_at=now,
        person_id=person_id,
        device_id=device_id,
        p256dh=p256dh,
        auth=auth,
    )
    try:
        with session.begin_nested():  # two first posts of one endpoint: the index decides
            session.add(subscription)
            session.flush()
    except IntegrityError:
        raise Conflict(
            "this push endpoint was registered at the same moment; try again",
            code="push_endpoint_taken",
        ) from None
    return subscription


def active_subscriptions(session: Session, person_id: uuid.UUID) -> list[PushSubscription]:
    return list(
        session.scalars(
            select(PushSubscription).where(
                PushSubscription.person_id == person_id, PushSubscription.revoked_at.is_(None)
            )
        )
    )


def unsubscribe(session: Session, *, now: datetime, person_id: uuid.UUID, endpoint: str) -> None:
    subscription = session.scalar(
        select(PushSubscription).where(
            PushSubscription.endpoint == endpoint, PushSubscription.person_id == person_id
        )
    )
    if subscription is not None and subscription.revoked_at is None:
        subscription.revoked_at = now
