"""Signing in with a one-time code and binding the device (the sessions that follow:
`auth.sessions`).

Known and unknown identities take the same path: a challenge is created either way (an unknown
one simply has no person and a code nobody receives), the same rate limits and lockouts apply,
and the answer has the same shape. The web layer adds a response-time floor on top.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.auth import codes, ratelimit
from amina.auth.devices import parse_public_key
from amina.auth.models import AuthSession, Challenge, Device
from amina.auth.schemas import ChallengeIn, DeviceIn, PassportChallengeIn
from amina.auth.sessions import Tokens, issue
from amina.config import Settings
from amina.errors import NotAuthenticated, RateLimited
from amina.keys import Keys
from amina.people import ids
from amina.people.models import CARD_COUNTRY, DocumentKind, DocumentStatus, Person
from amina.people.service import find_card, find_passport, normalise_country

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class OutgoingSms:
    phone: str
    code: str
    language: str
    challenge_id: uuid.UUID


@dataclass(frozen=True)
class StartedChallenge:
    challenge_id: uuid.UUID
    expires_at: datetime
    phone_hint: str
    sms: OutgoingSms | None  # None for an unknown identity: nothing is sent


@dataclass(frozen=True)
class Identity:
    key: str
    person: Person | None
    citizenship: str | None
    # The phone of the document's holder, whatever birth date was given: the hint must not
    # tell a right birth date from a wrong one.
    holder_phone: str | None


def _identify(session: Session, keys: Keys, request: ChallengeIn) -> Identity:
    if not isinstance(request, PassportChallengeIn):
        number = ids.normalise_card_number(request.card_number)
        key = codes.identifier_key(keys, DocumentKind.CARD, CARD_COUNTRY, number)
        document = find_card(session, number)
        # A lost or replaced card signs nobody in: the passport path is for that.
        if document is not None and document.status is not DocumentStatus.VALID:
            document = None
        citizenship = None
    else:
        citizenship = normalise_country(request.citizenship)
        number = ids.normalise_passport_number(request.passport_number)
        key = codes.identifier_key(keys, DocumentKind.PASSPORT, citizenship, number)
        document = find_passport(session, citizenship, number)
    holder = session.get(Person, document.person_id) if document is not None else None
    person = holder
    if person is not None and (person.birth_date != request.birth_date or person.deceased_at):
        person = None
    return Identity(key, person, citizenship, holder.phone if holder else None)


def _failed_challenges(session: Session, identifier: str, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Challenge)
            .where(
                Challenge.identifier == identifier,
                Challenge.failed.is_(True),
                Challenge.consumed_at.is_(None),
                Challenge.created_at > since,
            )
        )
        or 0
    )


def _check_not_locked(session: Session, settings: Settings, identifier: str, now: datetime) -> None:
    window = timedelta(seconds=settings.lockout_window_s)
    if _failed_challenges(session, identifier, now - window) >= settings.lockout_failed_challenges:
        raise RateLimited(
            "too many failed sign-in attempts for this document; try again later",
            code="identifier_locked",
            retry_after_s=settings.lockout_window_s,
        )


def start_challenge(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    keys: Keys,
    request: ChallengeIn,
    client_ip: str,
) -> StartedChallenge:
    identity = _identify(session, keys, request)
    _check_not_locked(session, settings, identity.key, now)
    buckets = [
        (codes.bucket_key(keys, "send-ip", client_ip), settings.sends_per_ip_per_hour),
        (codes.bucket_key(keys, "send-id", identity.key), settings.sends_per_identifier_per_hour),
    ]
    if identity.person is not None:
        phone_bucket = codes.bucket_key(keys, "send-phone", identity.person.phone)
        buckets.append((phone_bucket, settings.sends_per_phone_per_hour))
    for bucket, limit in buckets:
        ratelimit.check(session, bucket, now=now, limit=limit, window=HOUR, code="rate_limited")
    for bucket, _ in buckets:
        ratelimit.hit(session, bucket, now=now)

    challenge_id = uuid.uuid4()
    code = codes.new_code()
    challenge = Challenge(
        id=challenge_id,
        identifier=identity.key,
        person_id=identity.person.id if identity.person else None,
        # An unknown identity gets the hash of a code that is never sent.
        code_hash=codes.code_hash(keys, challenge_id, code),
        created_at=now,
        expires_at=now + timedelta(seconds=settings.otp_ttl_s),
    )
    session.add(challenge)
    session.flush()
    if identity.holder_phone is not None:
        hint = codes.phone_hint(identity.holder_phone)
    else:
        hint = codes.decoy_phone_hint(keys, identity.key, identity.citizenship)
    if identity.person is None:
        return StartedChallenge(challenge_id, challenge.expires_at, hint, None)
    person = identity.person
    sms = OutgoingSms(person.phone, code, person.language, challenge_id)
    return StartedChallenge(challenge_id, challenge.expires_at, hint, sms)


def _refused(message: str, code: str) -> NotAuthenticated:
    return NotAuthenticated(message, code=code, keep_changes=True)


def _check_code(
    session: Session,
    settings: Settings,
    keys: Keys,
    challenge: Challenge | None,
    code: str,
    now: datetime,
) -> uuid.UUID:
    """The signed-in person's id, or a refusal. Unknown identities fail like wrong codes.

    Both the attempt and the consumption are conditional updates: under concurrency the
    database, not a stale read, decides which single request gets to use the code.
    """
    if challenge is None:
        raise NotAuthenticated("the code is not valid", code="invalid_code")
    if challenge.consumed_at is not None:
        raise NotAuthenticated("this code has already been used", code="code_used")
    if challenge.expires_at <= now:
        raise NotAuthenticated("the code has expired; ask for a new one", code="code_expired")
    _check_not_locked(session, settings, challenge.identifier, now)
    counted = session.execute(
        update(Challenge)
        .where(
            Challenge.id == challenge.id,
            Challenge.consumed_at.is_(None),
            Challenge.attempts < settings.otp_max_attempts,
        )
        .values(attempts=Challenge.attempts + 1)
        .returning(Challenge.attempts)
        .execution_options(synchronize_session=False)
    ).first()
    if counted is None:
        session.refresh(challenge)
        if challenge.consumed_at is not None:
            raise NotAuthenticated("this code has already been used", code="code_used")
        raise NotAuthenticated(
            "too many wrong codes; ask for a new one", code="challenge_exhausted"
        )
    matches = codes.code_matches(keys, challenge.id, code, challenge.code_hash)
    if challenge.person_id is None or not matches:
        session.execute(
            update(Challenge)
            .where(Challenge.id == challenge.id)
            .values(failed=True)
            .execution_options(synchronize_session=False)
        )
        raise _refused("the code is not valid", "invalid_code")
    consumed = session.execute(
        update(Challenge)
        .where(Challenge.id == challenge.id, Challenge.consumed_at.is_(None))
        .values(consumed_at=now)
        .returning(Challenge.id)
        .execution_options(synchronize_session=False)
    ).first()
    if consumed is None:
        raise NotAuthenticated("this code has already been used", code="code_used")
    return challenge.person_id


def _bind_device(
    session: Session, *, now: datetime, person_id: uuid.UUID, device: DeviceIn
) -> Device:
    public_key = parse_public_key(device.public_key)
    existing = session.scalar(
        select(Device).where(
            Device.person_id == person_id,
            Device.public_key == public_key,
            Device.revoked_at.is_(None),
        )
    )
    if existing is not None:
        existing.model, existing.app_version, existing.last_seen_at = (
            device.model,
            device.app_version,
            now,
        )
        return existing
    bound = Device(
        person_id=person_id,
        public_key=public_key,
        platform=device.platform,
        model=device.model,
        app_version=device.app_version,
        created_at=now,
        last_seen_at=now,
    )
    session.add(bound)
    session.flush()
    return bound


def sign_in(
    session: Session,
    *,
    now: datetime,
    settings: Settings,
    keys: Keys,
    challenge_id: uuid.UUID,
    code: str,
    device: DeviceIn,
) -> Tokens:
    """Check the code and bind the device. A wrong code counts against the challenge."""
    parse_public_key(device.public_key)  # a malformed key is a 422 and costs no attempt
    challenge = session.get(Challenge, challenge_id)
    person_id = _check_code(session, settings, keys, challenge, code, now)
    bound = _bind_device(session, now=now, person_id=person_id, device=device)
    auth_session = AuthSession(person_id=person_id, device_id=bound.id, created_at=now)
    session.add(auth_session)
    session.flush()
    record(
        session,
        now=now,
        actor=Actor.person(person_id),
        action="auth.signed_in",
        subject_type="person",
        subject_id=person_id,
        data={"device_id": str(bound.id), "platform": bound.platform.value},
    )
    return issue(session, now=now, settings=settings, keys=keys, auth_session=auth_session)
