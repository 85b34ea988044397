"""Mosquitto, configured by Amina: a password file and an ACL file, reloaded with SIGHUP.

Why files and not the dynamic-security plugin: the accounts live in Amina's database, and the
two files are a pure function of it. Rewriting them is idempotent and survives a broker or
Amina restart with nothing to replay; the plugin would keep a second copy of the truth in its
own JSON state, reachable only through an admin account on its control topic. Mosquitto 2.0
re-reads both files on SIGHUP without dropping connections.

The ACL gives every device one subtree, `owntracks/<its username>/#` (a `pattern` line with
%u), so the broker refuses another device's topic; only Amina's subscriber may read them all.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

PBKDF2_ITERATIONS = 101  # what mosquitto_passwd writes ($7$ format)
TOPIC_ROOT = "owntracks"


def broker_hash(password: str, *, salt: bytes | None = None) -> str:
    """A password in Mosquitto 2's `$7$` format (PBKDF2-SHA512), as mosquitto_passwd writes."""
    salt = salt if salt is not None else secrets.token_bytes(12)
    digest = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, PBKDF2_ITERATIONS)
    encoded_salt = base64.b64encode(salt).decode()
    return f"$7${PBKDF2_ITERATIONS}${encoded_salt}${base64.b64encode(digest).decode()}"


def device_topic(username: str, device: str = "amina") -> str:
    return f"{TOPIC_ROOT}/{username}/{device}"


@dataclass(frozen=True)
class BrokerFiles:
    """Where the broker's configuration lives (one directory Amina owns)."""

    directory: Path

    @property
    def config(self) -> Path:
        return self.directory / "mosquitto.conf"

    @property
    def passwords(self) -> Path:
        return self.directory / "passwords"

    @property
    def acl(self) -> Path:
        return self.directory / "acl"

    @property
    def pid(self) -> Path:
        return self.directory / "mosquitto.pid"

    @property
    def store(self) -> Path:
        return self.directory / "store"


def config_text(files: BrokerFiles, *, host: str, port: int, run_as: str | None = None) -> str:
    # Started as root, Mosquitto drops to `run_as` (default: the `mosquitto` user), which must
    # be able to read the files Amina writes here (mode 0600): run both as the same user.
    user = [f"user {run_as}"] if run_as else []
    return "\n".join(
        [
            "# Written by Amina (amina broker config); rewrite it rather than edit it.",
            *user,
            "per_listener_settings false",
            f"listener {port} {host}",
            "allow_anonymous false",
            f"password_file {files.passwords}",
            f"acl_file {files.acl}",
            f"pid_file {files.pid}",
            "persistence true",
            f"persistence_location {files.store}/",
            "autosave_interval 1",
            "log_type error",
            "log_type warning",
            "log_type notice",
            # A phone offline for a day queues many points; Amina's own session may queue a
            # backlog while the subscriber restarts. Neither may be dropped.
            "max_queued_messages 0",
            "max_inflight_messages 100",
            "persistent_client_expiration 30d",
            "",
        ]
    )


def acl_text(ingest_username: str) -> str:
    return "\n".join(
        [
            "# Written by Amina. Each device: its own subtree only.",
            f"user {ingest_username}",
            f"topic read {TOPIC_ROOT}/+/+",
            f"topic read {TOPIC_ROOT}/+/+/#",
            "",
            f"pattern readwrite {TOPIC_ROOT}/%u/#",
            "",
        ]
    )


def passwords_text(entries: Iterable[tuple[str, str]]) -> str:
    return "".join(f"{username}:{hashed}\n" for username, hashed in sorted(entries))


def _write_if_changed(path: Path, text: str) -> bool:
    if path.exists() and path.read_text() == text:
        return False
    draft = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)
    os.replace(draft, path)  # atomic: the broker never reads half a file
    return True


def write_config(
    files: BrokerFiles, *, host: str, port: int, ingest_username: str, run_as: str | None = None
) -> bool:
    files.directory.mkdir(parents=True, exist_ok=True)
    files.store.mkdir(exist_ok=True)
    text = config_text(files, host=host, port=port, run_as=run_as)
    changed = _write_if_changed(files.config, text)
    changed |= _write_if_changed(files.acl, acl_text(ingest_username))
    if not files.passwords.exists():
        _write_if_changed(files.passwords, "")
    return changed


def write_passwords(files: BrokerFiles, entries: Iterable[tuple[str, str]]) -> bool:
    files.directory.mkdir(parents=True, exist_ok=True)
    return _write_if_changed(files.passwords, passwords_text(entries))


def reload(files: BrokerFiles) -> bool:
    """Ask the running broker to re-read its password and ACL files (SIGHUP)."""
    try:
        pid = int(files.pid.read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except (FileNotFoundError, ValueError, ProcessLookupError, PermissionError):
        return False
    return True
