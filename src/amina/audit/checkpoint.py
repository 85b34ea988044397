"""Signed checkpoints of the audit chain's head, kept outside the database.

`amina audit checkpoint` (and the worker, daily) signs the head (seq, link) with an Ed25519 key
that lives in a file outside the database (AMINA_AUDIT_SIGNING_KEY_PATH, by default in the data
directory) and appends it to a JSON-lines file (AMINA_AUDIT_CHECKPOINT_DIR). `verify_against`
then requires every checkpointed event to still carry the link that was signed, and the chain to
be at least as long as the newest checkpoint: a rewrite of the chain, even by someone who holds
the database and the secret, is caught for every event up to the newest checkpoint.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.models import AuditEvent, AuditHead
from amina.audit.service import HEAD_ID, Verification

CHECKPOINT_FILE = "checkpoints.jsonl"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: datetime

    def payload(self) -> bytes:
        body = {"seq": self.seq, "hash": self.hash, "at": self.at.isoformat()}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def signing_key(path: Path) -> Ed25519PrivateKey:
    """The checkpoint key: created on first use (mode 0600), then read from the file."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        draft = path.with_name(f".{path.name}.{secrets.token_hex(8)}")
        fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)
        draft.unlink()
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_key_text(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode()


def write_checkpoint(
    session: Session, *, now: datetime, directory: Path, key: Ed25519PrivateKey
) -> Checkpoint:
    """Sign the current head and append it to the checkpoint file (fsynced)."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        raise ValueError("the audit chain has no head row")
    checkpoint = Checkpoint(head.seq, head.hash, now)
    signature = base64.b64encode(key.sign(checkpoint.payload())).decode()
    line = json.dumps(
        {"seq": checkpoint.seq, "hash": checkpoint.hash, "at": now.isoformat(), "sig": signature}
    )
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / CHECKPOINT_FILE).open("a") as handle:
        handle.write(line + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return checkpoint


class BadCheckpoint(ValueError):
    pass


def read_checkpoints(directory: Path, key: Ed25519PublicKey) -> list[Checkpoint]:
    """Every checkpoint, each with its signature checked (a bad one raises BadCheckpoint)."""
    path = directory / CHECKPOINT_FILE
    if not path.exists():
        return []
    found: list[Checkpoint] = []
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            raw = json.loads(line)
            checkpoint = Checkpoint(
                int(raw["seq"]), str(raw["hash"]), datetime.fromisoformat(raw["at"])
            )
            key.verify(base64.b64decode(raw["sig"]), checkpoint.payload())
        except (ValueError, KeyError, TypeError, InvalidSignature) as error:
            raise BadCheckpoint(f"checkpoint line {number} is not validly signed") from error
        found.append(checkpoint)
    return found


def last_checkpoint_at(directory: Path) -> datetime | None:
    path = directory / CHECKPOINT_FILE
    if not path.exists():
        return None
    lines = [line for line in path.read_text().splitlines() if line.strip()]
    if not lines:
        return None
    with contextlib.suppress(ValueError, KeyError):
        return datetime.fromisoformat(json.loads(lines[-1])["at"])
    return None


def verify_against(
    session: Session, chain: Verification, checkpoints: list[Checkpoint]
) -> Verification:
    """The chain's own verification, then each checkpoint: its event must carry the signed
    link, and no checkpoint may lie beyond the end of the chain."""
    if not chain.ok:
        return chain
    for checkpoint in checkpoints:
        if checkpoint.seq == 0:
            continue
        if checkpoint.seq > chain.events:
            return Verification(
                False,
                chain.events,
                chain.events + 1,
                f"events up to {checkpoint.seq} were signed but are gone",
            )
        link = session.scalar(select(AuditEvent.hash).where(AuditEvent.seq == checkpoint.seq))
        if link != checkpoint.hash:
            return Verification(
                False,
                chain.events,
                checkpoint.seq,
                f"event {checkpoint.seq} differs from its signed checkpoint (rewritten)",
            )
    return chain
