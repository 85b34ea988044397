"""audit events keyed by an HMAC key (mac_kid)

Events written from now on carry the id of the HMAC key their link is computed with; older
events keep NULL and their unkeyed SHA-256 links, which `amina audit verify` still accepts before
the first keyed event. The head gets a MAC under the audit key; an existing chain's head is keyed
here (its events are verified first, so a chain that is already broken is not blessed).

Revision ID: 0952
Revises: 0951
Create Date: 2026-12-02 01:20:00
"""

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0952"
down_revision: str | None = "0951"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("audit_events", sa.Column("mac_kid", sa.String(length=16), nullable=True))
    op.add_column("audit_head", sa.Column("mac", sa.String(length=64), nullable=True))
    op.add_column("audit_head", sa.Column("mac_kid", sa.String(length=16), nullable=True))
    bind = op.get_bind()
    head = bind.execute(sa.text("SELECT seq, hash FROM audit_head WHERE id = 1")).first()
    if head is None or head.seq == 0:
        return
    _check_legacy_chain(bind, head.seq, head.hash)
    keyring = _keyring()
    from amina.audit.service import head_mac

    key = keyring.audit_keys[keyring.audit_kid]
    bind.execute(
        sa.text("UPDATE audit_head SET mac = :mac, mac_kid = :kid WHERE id = 1"),
        {"mac": head_mac(key, head.seq, head.hash), "kid": keyring.audit_kid},
    )


def _keyring() -> Any:
    from amina import vault

    if vault.is_installed():
        return vault.current()
    from amina.config import Settings
    from amina.context import keyring_for

    return vault.install(keyring_for(Settings()))


def _check_legacy_chain(bind: sa.Connection, seq: int, link: str) -> None:
    from amina.audit.service import GENESIS_HASH, event_hash

    prev, expected = GENESIS_HASH, 1
    rows = bind.execute(
        sa.text(
            "SELECT seq, at, actor_type, actor_id, action, subject_type, subject_id, person_id, "
            "reason, data, prev_hash, hash FROM audit_events ORDER BY seq"
        )
    ).mappings()
    for row in rows:
        event = dict(row)
        event["at"] = _instant(event["at"])
        if isinstance(event["data"], str):
            event["data"] = json.loads(event["data"])
        if event["person_id"] is not None:
            event["person_id"] = uuid.UUID(str(event["person_id"]))
        if (
            event["seq"] != expected
            or event["prev_hash"] != prev
            or (event_hash(prev, event) != event["hash"])
        ):
            raise RuntimeError(
                f"the audit chain is broken at event {expected}: it is not keyed by this "
                "migration; restore it or run `amina audit verify` for details"
            )
        prev, expected = event["hash"], expected + 1
    if expected - 1 != seq or prev != link:
        raise RuntimeError("the audit chain's head does not match its last event")


def _instant(value: Any) -> datetime:
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def downgrade() -> None:
    with op.batch_alter_table("audit_head", schema=None) as batch_op:
        batch_op.drop_column("mac_kid")
        batch_op.drop_column("mac")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_column("mac_kid")
