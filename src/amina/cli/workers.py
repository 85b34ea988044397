"""Several API processes on one port, each listening on a socket of its own (SO_REUSEPORT).

uvicorn's `--workers` binds one socket in its supervisor, and every worker accepts from it. A
worker whose event loop wakes first accepts every connection waiting (asyncio takes up to the
backlog at a time), so a burst of keep-alive connections (a proxy's upstream pool, wrk's 64)
can land on one process while the other idles: in the benchmark, one round of two processes
had one of them at 0.45 of a core and the other at 0.0 (docs/performance.md, "Ninth run").

Here each worker binds its own socket to the same address with SO_REUSEPORT, and the kernel
spreads new connections across the listening ones by a hash of each connection's addresses.
uvicorn's supervisor stays as it is (health checks, restarting a dead worker, signals): what it
hands each worker is a `PortShare`, which is bound anew, not duplicated, when a worker process
is spawned. The supervisor's own `PortShare` never listens, so it holds the port without ever
taking a connection (the kernel hands connections only to listening members of the group).

SO_REUSEPORT lets any process of the same user join the group, a second `amina serve
--workers` included; so the supervisor refuses to start where something already answers on the
address.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from uvicorn.supervisors.multiprocess import Multiprocess


class PortInUse(RuntimeError):
    pass


class PortShare(socket.socket):
    """A TCP socket bound to an address with SO_REUSEPORT; pickled (into a spawned worker), a
    new socket bound to the same address."""

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (bind_shared, (self.family, host, port))


def bind_shared(family: int, host: str, port: int) -> PortShare:
    share = PortShare(family, socket.SOCK_STREAM)
    share.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    share.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    share.bind((host, port))
    return share


def supported() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def _answering(family: int, address: tuple[Any, ...]) -> bool:
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        try:
            probe.connect(address)
        except OSError:
            return False
        return True


def serve(config: uvicorn.Config) -> None:
    """Run `config.workers` worker processes under uvicorn's supervisor, each listening on a
    socket of its own. Raises `PortInUse` where something already answers on the address."""
    family, _, _, _, address = socket.getaddrinfo(
        config.host, config.port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    if _answering(family, address):
        raise PortInUse(f"something already listens on {config.host}:{config.port}")
    share = bind_shared(family, str(address[0]), config.port)
    try:
        Multiprocess(config, sockets=[share]).run()
    finally:
        share.close()
