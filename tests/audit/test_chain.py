"""The audit chain: append-only, and tampering is found."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.orm import Session

from amina.audit.models import AuditEvent
from amina.audit.service import Actor, record, verify
from tests.conftest import DEFAULT_NOW


def three_events(session: Session) -> None:
    for minute in range(3):
        record(
            session,
            now=DEFAULT_NOW + timedelta(minutes=minute),
            actor=Actor.system("test"),
            action="thing.done",
            subject_type="thing",
            subject_id=minute,
            reason="because",
            data={"n": minute},
        )


def test_an_untouched_chain_verifies(session: Session) -> None:
    three_events(session)
    result = verify(session)
    assert result.ok and result.events == 3 and result.first_bad_seq is None


def test_an_empty_chain_verifies(session: Session) -> None:
    assert verify(session).ok


def test_a_changed_event_is_found(session: Session) -> None:
    three_events(session)
    session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(reason="rewritten"))
    result = verify(session)
    assert not result.ok and result.first_bad_seq == 2


def test_a_removed_event_is_found(session: Session) -> None:
    three_events(session)
    session.execute(delete(AuditEvent).where(AuditEvent.seq == 2))
    result = verify(session)
    assert not result.ok and result.first_bad_seq == 2 and "missing" in (result.problem or "")


def test_removing_the_last_event_is_found(session: Session) -> None:
    three_events(session)
    session.execute(delete(AuditEvent).where(AuditEvent.seq == 3))
    result = verify(session)
    assert not result.ok and result.first_bad_seq == 3
