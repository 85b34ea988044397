"""A real Mosquitto of the test's own, configured by Amina (password file + ACL, SIGHUP)."""

from __future__ import annotations

import getpass
import os
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from amina.mqtt import broker

MOSQUITTO = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
PORTS = range(18850, 18900)  # this branch's own range on the shared machine


def free_broker_port() -> int:
    for port in PORTS:
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for a test broker")


def wait_for_port(port: int, timeout_s: float = 10.0) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"mosquitto did not listen on {port}")


@dataclass
class Mosquitto:
    files: broker.BrokerFiles
    port: int
    ingest_username: str = "amina-ingest"
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> Mosquitto:
        broker.write_config(
            self.files,
            host="127.0.0.1",
            port=self.port,
            ingest_username=self.ingest_username,
            run_as=getpass.getuser(),
        )
        with (self.files.directory / "mosquitto.log").open("ab") as log:
            self.process = subprocess.Popen(
                [MOSQUITTO, "-c", str(self.files.config)], stdout=log, stderr=subprocess.STDOUT
            )
        try:
            wait_for_port(self.port)
        except RuntimeError:
            self.stop()
            raise RuntimeError(self.log()) from None
        deadline = time.monotonic() + 5
        while not self.files.pid.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)
        self.process = None

    def log(self) -> str:
        path: Path = self.files.directory / "mosquitto.log"
        return path.read_text(errors="replace") if path.exists() else ""
