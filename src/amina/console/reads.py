"""Every look at a person's data is an audit event written *before* the data are read.

A console or API view of a person takes a `Grant`, and the only way to get one is `audited`:
it appends the event to the hash-chained log (in the request's transaction, flushed, so a
failing write fails the page before anything is loaded). Opening a person needs a reason (a
category and a written text); each later view (page, timeline, map, presence) of that opening
is audited again, naming the view.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.orm import Session

from amina.audit.service import Actor, record
from amina.districts.scope import ensure_visible
from amina.errors import Forbidden, InvalidInput
from amina.keys import Keys
from amina.officers.models import Officer

OPENING_TTL = timedelta(minutes=30)
MIN_REASON = 5


class ReasonCategory(StrEnum):
    DEADLINE_CHECK = "deadline_check"
    CASE_REVIEW = "case_review"
    REGISTRY_REVIEW = "registry_review"
    CHECKIN = "checkin"
    PERSON_REQUEST = "person_request"
    POLICE_INQUIRY = "police_inquiry"
    OTHER = "other"


_SEAL = object()


@dataclass(frozen=True)
class Grant:
    """Proof that a read of `person_id` by `officer_id` was audited; made only by `audited`."""

    person_id: uuid.UUID
    officer_id: uuid.UUID
    view: str
    category: ReasonCategory
    _seal: object = field(repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("a Grant comes only from amina.console.reads.audited")


def audited(
    session: Session,
    *,
    now: datetime,
    officer: Officer,
    person_id: uuid.UUID,
    view: str,
    category: ReasonCategory,
    reason: str,
    opening: bool = False,
) -> Grant:
    text = reason.strip()
    if opening and len(text) < MIN_REASON:
        raise InvalidInput(
            f"write why you open this person's data (at least {MIN_REASON} characters)",
            code="reason_required",
        )
    ensure_visible(session, now=now, officer=officer, person_id=person_id)  # police districts
    record(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        action="person.opened" if opening else "person.viewed",
        subject_type="person",
        subject_id=person_id,
        reason=text or None,
        data={"view": view, "category": category.value, "role": officer.role.value},
    )
    session.flush()  # written before anything is read: a failing write fails the page
    return Grant(person_id, officer.id, view, category, _SEAL)


def _key(keys: Keys) -> bytes:
    return hmac.new(keys.secret, b"amina:console-openings", hashlib.sha256).digest()


def opening_token(
    keys: Keys,
    *,
    session_id: uuid.UUID,
    person_id: uuid.UUID,
    category: ReasonCategory,
    until: datetime,
) -> str:
    """Ties the tabs of one opening to the session and reason that opened it (for 30 min)."""
    body = f"{person_id}.{category.value}.{int(until.timestamp())}"
    mac = hmac.new(_key(keys), f"{session_id}.{body}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{body}.{mac}"


def read_opening(
    keys: Keys, token: str | None, *, session_id: uuid.UUID, person_id: uuid.UUID, now: datetime
) -> ReasonCategory:
    """The reason category of a live opening, or Forbidden: open the person (with a reason)."""
    try:
        pid, category, until, mac = (token or "").split(".")
        body = f"{pid}.{category}.{until}"
        expected = hmac.new(
            _key(keys), f"{session_id}.{body}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        if (
            hmac.compare_digest(mac, expected)
            and pid == str(person_id)
            and int(until) > now.timestamp()
        ):
            return ReasonCategory(category)
    except ValueError:
        pass
    raise Forbidden("open this person with a reason first", code="reason_required")
