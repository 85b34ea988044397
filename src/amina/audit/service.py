"""Appending to, and verifying, the keyed, hash-chained audit log.

Each event's MAC covers its content and the previous event's MAC, and events carry a gap-free
sequence number; the chain's tip lives in `audit_head`. Appending locks the head row, so
concurrent writers (several API processes, the worker) still form a single chain.

The MAC is HMAC-SHA256 under a key derived from the secret (`Keys.audit_chain`), named by
`mac_kid`: whoever holds only the database cannot recompute it. Events written before migration
0952 have no `mac_kid` and keep their unkeyed SHA-256 hashes; they still verify, but only before
the first keyed event (a keyed chain cannot be downgraded). Signed checkpoints kept outside the
database (`audit.checkpoint`) anchor the head, so even a full rewrite is caught.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina import vault
from amina.audit.models import AuditEvent, AuditHead
from amina.bulk import insert_rows

GENESIS_HASH = "0" * 64
HEAD_ID = 1
ActorType = Literal["person", "officer", "system", "service", "cli"]


@dataclass(frozen=True)
class Actor:
    type: ActorType
    id: str | None = None

    @classmethod
    def system(cls, job: str) -> Actor:
        return cls("system", job)

    @classmethod
    def person(cls, person_id: uuid.UUID) -> Actor:
        return cls("person", str(person_id))

    @classmethod
    def officer(cls, officer_id: uuid.UUID) -> Actor:
        return cls("officer", str(officer_id))


def _content(event: dict[str, Any]) -> dict[str, Any]:
    content = {
        "seq": event["seq"],
        "at": event["at"].astimezone(UTC).isoformat(timespec="microseconds"),
        "actor_type": event["actor_type"],
        "actor_id": event["actor_id"],
        "action": event["action"],
        "subject_type": event["subject_type"],
        "subject_id": event["subject_id"],
        "reason": event["reason"],
        "data": event["data"],
    }
    # Added by migration 0002; left out when empty so that older events keep their hashes.
    if event.get("person_id") is not None:
        content["person_id"] = str(event["person_id"])
    return content


def _canonical(prev_hash: str, event: AuditEvent | dict[str, Any]) -> bytes:
    fields = event if isinstance(event, dict) else {c: getattr(event, c) for c in _COLUMNS}
    canonical = json.dumps(_content(fields), sort_keys=True, separators=(",", ":"), default=str)
    return (prev_hash + canonical).encode()


def event_hash(prev_hash: str, event: AuditEvent | dict[str, Any]) -> str:
    """The unkeyed SHA-256 of events written before migration 0952 (legacy)."""
    return hashlib.sha256(_canonical(prev_hash, event)).hexdigest()


def event_mac(key: bytes, prev_hash: str, event: AuditEvent | dict[str, Any]) -> str:
    """The keyed link of every event written since: HMAC-SHA256 under the audit key."""
    return hmac.new(key, _canonical(prev_hash, event), hashlib.sha256).hexdigest()


_COLUMNS = (
    "seq",
    "at",
    "actor_type",
    "actor_id",
    "action",
    "subject_type",
    "subject_id",
    "person_id",
    "reason",
    "data",
    "prev_hash",
    "hash",
    "mac_kid",
)


@dataclass(frozen=True)
class Event:
    """One audit event to append: who, what, about whom, and why."""

    actor: Actor
    action: str
    subject_type: str
    subject_id: object = None
    reason: str | None = None
    data: dict[str, Any] | None = None
    person_id: uuid.UUID | None = None


def record_many(session: Session, *, now: datetime, events: list[Event]) -> None:
    """Append events to the chain, in the caller's transaction, locking its head once."""
    if not events:
        return
    head = session.execute(
        select(AuditHead).where(AuditHead.id == HEAD_ID).with_for_update()
    ).scalar_one()
    rows: list[dict[str, Any]] = []
    keyring = vault.current()
    kid, key = keyring.audit_kid, keyring.audit_keys[keyring.audit_kid]
    seq, prev_hash = head.seq, head.hash
    for spec in events:
        person_id = spec.person_id
        if person_id is None and spec.subject_type == "person" and spec.subject_id is not None:
            subject = spec.subject_id
            person_id = subject if isinstance(subject, uuid.UUID) else uuid.UUID(str(subject))
        seq += 1
        row: dict[str, Any] = {
            "seq": seq,
            "at": now,
            "actor_type": spec.actor.type,
            "actor_id": spec.actor.id,
            "action": spec.action,
            "subject_type": spec.subject_type,
            "subject_id": None if spec.subject_id is None else str(spec.subject_id),
            "person_id": person_id,
            "reason": spec.reason,
            "data": json.loads(json.dumps(spec.data or {}, default=str)),
            "prev_hash": prev_hash,
            "mac_kid": kid,
        }
        row["hash"] = prev_hash = event_mac(key, prev_hash, row)
        rows.append(row)
    insert_rows(session, AuditEvent, rows)
    head.seq, head.hash = seq, prev_hash
    head.mac, head.mac_kid = head_mac(key, seq, prev_hash), kid
    session.flush()


def record(
    session: Session,
    *,
    now: datetime,
    actor: Actor,
    action: str,
    subject_type: str,
    subject_id: object = None,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
    person_id: uuid.UUID | None = None,
) -> None:
    """Append one event (who, what, when, why) to the chain, in the caller's transaction.

    `person_id` names the person the event concerns; it defaults to the subject when the
    subject is a person."""
    record_many(
        session,
        now=now,
        events=[Event(actor, action, subject_type, subject_id, reason, data, person_id)],
    )


@dataclass(frozen=True)
class Verification:
    ok: bool
    events: int
    first_bad_seq: int | None = None
    problem: str | None = None


def _events(session: Session, batch: int = 5000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > last).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1].seq
        session.expunge_all()


def head_mac(key: bytes, seq: int, link: str) -> str:
    return hmac.new(key, f"audit-head:{seq}:{link}".encode(), hashlib.sha256).hexdigest()


def _head_is_keyed(head: AuditHead) -> bool:
    if head.seq == 0 and head.mac is None:
        return True  # the empty chain: nothing to key yet
    key = vault.current().audit_keys.get(head.mac_kid or "")
    return key is not None and hmac.compare_digest(
        head.mac or "", head_mac(key, head.seq, head.hash)
    )


def _expected(event: AuditEvent, prev_hash: str, keyed_seen: bool) -> str | None:
    """The link `event` must carry, or None if it can't be right whatever it carries."""
    if event.mac_kid is None:
        return None if keyed_seen else event_hash(prev_hash, event)
    key = vault.current().audit_keys.get(event.mac_kid)
    return None if key is None else event_mac(key, prev_hash, event)


def verify(session: Session) -> Verification:
    """Walk the chain: a changed, removed or inserted event breaks it at the first bad one."""
    prev_hash, expected_seq, count, keyed_seen = GENESIS_HASH, 1, 0, False
    for event in _events(session):
        if event.seq != expected_seq:
            return Verification(False, count, expected_seq, f"event {expected_seq} is missing")
        expected = _expected(event, prev_hash, keyed_seen)
        if event.prev_hash != prev_hash or expected is None or event.hash != expected:
            return Verification(False, count, event.seq, f"event {event.seq} was altered")
        keyed_seen = keyed_seen or event.mac_kid is not None
        prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
    head = session.get(AuditHead, HEAD_ID)
    if head is None or head.seq != count or head.hash != prev_hash:
        return Verification(False, count, count + 1, "events after the last one were removed")
    if not _head_is_keyed(head):
        return Verification(False, count, None, "the chain's head is not signed by the audit key")
    return Verification(True, count)
