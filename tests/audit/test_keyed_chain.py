"""Issue 9, defect 10: the audit chain can't be rewritten from the database's contents alone,
and signed checkpoints outside the database catch even a rewrite by someone with the secret."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from amina import vault
from amina.audit import checkpoint
from amina.audit.models import AuditEvent, AuditHead
from amina.audit.service import (
    GENESIS_HASH,
    HEAD_ID,
    event_hash,
    event_mac,
    head_mac,
    verify,
)
from amina.context import AppContext
from amina.jobs.worker import Worker
from tests.audit.test_chain import three_events
from tests.conftest import DEFAULT_NOW


def _rewrite(session: Session, link: object, keyed: bool) -> None:
    """What an attacker does: edit event 2, then recompute every link and the head."""
    session.execute(update(AuditEvent).where(AuditEvent.seq == 2).values(reason="rewritten"))
    session.expire_all()
    prev = GENESIS_HASH
    for event in session.scalars(select(AuditEvent).order_by(AuditEvent.seq)):
        event.prev_hash = prev
        event.hash = prev = link(prev, event)  # type: ignore[operator]
        if not keyed:
            event.mac_kid = None
    head = session.get(AuditHead, HEAD_ID)
    assert head is not None
    head.hash = prev
    if keyed:  # only someone holding the secret can do this
        key = vault.current().audit_keys[vault.current().audit_kid]
        head.mac = head_mac(key, head.seq, prev)
    session.flush()


def test_events_are_keyed(session: Session) -> None:
    three_events(session)
    events = session.scalars(select(AuditEvent).order_by(AuditEvent.seq)).all()
    assert all(e.mac_kid == vault.current().audit_kid for e in events)
    assert events[0].hash != event_hash(GENESIS_HASH, events[0])  # not the unkeyed SHA-256


def test_a_chain_rewritten_with_the_projects_own_event_hash_is_caught(session: Session) -> None:
    three_events(session)
    _rewrite(session, event_hash, keyed=True)
    head = session.get(AuditHead, HEAD_ID)
    assert head is not None
    result = verify(session)
    assert not result.ok and result.first_bad_seq == 1


def test_a_chain_downgraded_to_unkeyed_links_is_caught(session: Session) -> None:
    three_events(session)
    session.execute(update(AuditHead).values(mac=None, mac_kid=None))
    _rewrite(session, event_hash, keyed=False)
    result = verify(session)
    assert not result.ok and "head" in (result.problem or "")


def test_a_rewrite_with_the_secret_is_caught_by_a_signed_checkpoint(
    session: Session, tmp_path: Path
) -> None:
    three_events(session)
    key = checkpoint.signing_key(tmp_path / "signing.pem")
    checkpoint.write_checkpoint(session, now=DEFAULT_NOW, directory=tmp_path, key=key)
    audit_key = vault.current().audit_keys[vault.current().audit_kid]
    _rewrite(session, lambda prev, event: event_mac(audit_key, prev, event), keyed=True)
    assert verify(session).ok  # the chain alone can't tell
    found = checkpoint.read_checkpoints(tmp_path, key.public_key())
    result = checkpoint.verify_against(session, verify(session), found)
    assert not result.ok and result.first_bad_seq == 3 and "checkpoint" in (result.problem or "")


def test_a_forged_or_truncated_checkpoint_is_caught(session: Session, tmp_path: Path) -> None:
    three_events(session)
    key = checkpoint.signing_key(tmp_path / "signing.pem")
    checkpoint.write_checkpoint(session, now=DEFAULT_NOW, directory=tmp_path, key=key)
    path = tmp_path / checkpoint.CHECKPOINT_FILE
    good = path.read_text()
    forged = json.loads(good)
    forged["seq"] = 2
    path.write_text(json.dumps(forged) + "\n")
    with pytest.raises(checkpoint.BadCheckpoint):
        checkpoint.read_checkpoints(tmp_path, key.public_key())
    # A checkpoint beyond the end of the chain: events were cut off and the head rewound.
    path.write_text(good)
    session.execute(update(AuditEvent).where(AuditEvent.seq == 3).values(seq=-3))
    found = checkpoint.read_checkpoints(tmp_path, key.public_key())
    result = checkpoint.verify_against(session, verify(session), found)
    assert not result.ok


def test_the_signing_key_file_is_private(tmp_path: Path) -> None:
    checkpoint.signing_key(tmp_path / "k.pem")
    assert (tmp_path / "k.pem").stat().st_mode & 0o077 == 0


def test_the_worker_checkpoints_daily(context: AppContext, session: Session) -> None:
    three_events(session)
    worker = Worker(context, now=lambda: DEFAULT_NOW)
    directory = context.settings.effective_audit_checkpoint_dir
    assert worker.audit_checkpoint()["checkpoints"] == 1
    assert worker.audit_checkpoint()["checkpoints"] == 0  # not again the same day
    worker.now = lambda: DEFAULT_NOW + timedelta(days=1, minutes=1)
    assert worker.audit_checkpoint()["checkpoints"] == 1
    key = checkpoint.signing_key(context.settings.effective_audit_signing_key_path)
    assert [c.seq for c in checkpoint.read_checkpoints(directory, key.public_key())] == [3, 3]
    worker.leader.release()
