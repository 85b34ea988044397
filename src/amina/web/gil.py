"""How long a thread may hold the GIL while another waits for it (`amina serve` only).

The event loop thread is busy whenever the intake is loaded; the group-commit writer thread
(`groupcommit.py`) releases the GIL for every round trip to the database and must take it back
to go on. A waiting thread gets it only when the holder releases it, or when the holder is
asked to after `sys.getswitchinterval()` (5 ms by default). So each of a group's round trips
(BEGIN, the read, the insert, the updates, COMMIT) could add up to 5 ms to that group's commit,
and every request of the group waits that out: at 64 requests in flight the median was several
times the database's own time. A shorter interval bounds that wait; the price is more GIL
hand-overs, which only happen while a second thread is waiting (docs/performance.md, "Fifth
run", measures both).
"""

from __future__ import annotations

import sys


def set_switch_interval(milliseconds: float) -> float:
    """Set it (0: leave Python's default). Returns the interval now in force, in seconds."""
    if milliseconds > 0:
        sys.setswitchinterval(milliseconds / 1000)
    return sys.getswitchinterval()
