"""`amina serve --workers N`: each worker listens on a socket of its own (SO_REUSEPORT), so the
kernel spreads connections across the workers (`cli/workers.py`). With uvicorn's one shared
socket, a burst of keep-alive connections could all land on one worker while the other idled
(docs/performance.md, "Ninth run")."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.server import AMINA, LiveServer, free_port

pytestmark = pytest.mark.skipif(
    not hasattr(socket, "SO_REUSEPORT") or not Path("/proc/net/tcp").exists(),
    reason="SO_REUSEPORT and /proc (Linux)",
)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def sockets_of(pid: int) -> set[int]:
    """The inodes of the sockets process `pid` holds."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def tcp_sockets(port: int) -> dict[int, tuple[str, int]]:
    """inode -> (state, remote port) of the IPv4 TCP sockets whose local port is `port`."""
    found = {}
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, state, inode = fields[1], fields[2], fields[3], int(fields[9])
        if int(local.split(":")[1], 16) == port:
            found[inode] = (state, int(remote.split(":")[1], 16))
    return found


LISTEN, ESTABLISHED = "0A", "01"


@pytest.fixture
def two_workers(live_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(live_url, tmp_path / "server", workers=2).start()
    yield server
    server.stop()


def workers_of(server: LiveServer) -> list[int]:
    assert server.process is not None
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        workers = [p for p in children(server.process.pid) if listening(p, server.port)]
        if len(workers) == 2:
            return workers
        time.sleep(0.1)
    raise AssertionError("two listening workers did not come up")


def listening(pid: int, port: int) -> bool:
    tcp = tcp_sockets(port)
    return any(tcp.get(inode, ("",))[0] == LISTEN for inode in sockets_of(pid))


def test_each_worker_listens_on_a_socket_of_its_own(two_workers: LiveServer) -> None:
    workers = workers_of(two_workers)
    tcp = tcp_sockets(two_workers.port)
    listeners = [{i for i in sockets_of(pid) if tcp.get(i, ("",))[0] == LISTEN} for pid in workers]
    assert all(len(mine) == 1 for mine in listeners), listeners
    assert listeners[0] != listeners[1]
    # The supervisor holds the port but never listens: no connection can wait on it unserved.
    assert two_workers.process is not None
    held = sockets_of(two_workers.process.pid)
    assert not {i for i in held if tcp.get(i, ("",))[0] == LISTEN}


def test_a_burst_of_connections_is_spread_over_both_workers(two_workers: LiveServer) -> None:
    workers = workers_of(two_workers)
    clients = []
    try:
        for _ in range(64):  # opened at once, kept open: a proxy's pool, wrk's connections
            client = socket.create_connection(("127.0.0.1", two_workers.port), timeout=5)
            clients.append(client)
        for client in clients:  # each answered (so each was accepted by a worker)
            client.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: t\r\n\r\n")
        for client in clients:
            assert client.recv(64).startswith(b"HTTP/1.1 200")
        tcp = tcp_sockets(two_workers.port)
        ours = {c.getsockname()[1] for c in clients}
        taken = Counter(
            pid
            for pid in workers
            for inode in sockets_of(pid)
            if tcp.get(inode, ("", 0))[0] == ESTABLISHED and tcp[inode][1] in ours
        )
    finally:
        for client in clients:
            client.close()
    assert sum(taken.values()) == 64, taken
    # Spread by a hash of the addresses: 32 each on average; 12..52 fails once in ~10^7 runs.
    assert all(12 <= taken[pid] <= 52 for pid in workers), taken


def test_a_killed_worker_is_replaced_and_the_port_keeps_answering(
    two_workers: LiveServer,
) -> None:
    victim, survivor = workers_of(two_workers)
    os.kill(victim, signal.SIGKILL)
    for _ in range(20):  # meanwhile, new connections go to the living worker
        assert httpx.get(f"{two_workers.base_url}/api/v1/health", timeout=5).status_code == 200
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        workers = set(workers_of(two_workers))
        if survivor in workers and victim not in workers:
            return
        time.sleep(0.2)
    raise AssertionError("the killed worker was not replaced")


def test_a_second_server_on_the_same_port_refuses_to_start(
    two_workers: LiveServer,
) -> None:
    env = two_workers.env
    done = subprocess.run(
        [AMINA, "serve", "--host", "127.0.0.1", "--port", str(two_workers.port), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert "already listens" in done.stderr
    assert len(workers_of(two_workers)) == 2


def test_a_port_taken_by_another_program_is_refused(live_url: str, tmp_path: Path) -> None:
    port = free_port()
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        server = LiveServer(live_url, tmp_path / "s", workers=2, port=port)
        done = subprocess.run(
            [AMINA, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=server.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 1, done.stderr
