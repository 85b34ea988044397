"""Who the client is, behind reverse proxies we trust (AMINA_TRUSTED_PROXIES).

X-Forwarded-For is believed only when the socket peer is a trusted proxy, and then read right
to left: each trusted hop vouches for the one before it, and the first address that is not a
trusted proxy is the client. Anything a client writes further left is its own claim, ignored.
"""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@functools.cache
def parse_networks(cidrs: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _address(raw: str) -> Address | None:
    value = raw.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.7:5000"
        value = value.split(":", 1)[0]
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        return None


def _trusted(address: Address, networks: Iterable[Network]) -> bool:
    return any(address.version == net.version and address in net for net in networks)


def client_address(peer: str, forwarded_for: list[str], networks: tuple[Network, ...]) -> str:
    """The client's address: `peer` itself unless it is a trusted proxy."""
    current = _address(peer)
    if current is None or not _trusted(current, networks):
        return peer
    hops = [hop for header in forwarded_for for hop in header.split(",") if hop.strip()]
    for raw in reversed(hops):
        hop = _address(raw)
        if hop is None:
            break  # garbage: the last hop a trusted proxy vouched for is the client
        current = hop
        if not _trusted(hop, networks):
            break
    return str(current)
