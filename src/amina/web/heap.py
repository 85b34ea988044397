"""The cyclic garbage collector, set up for a long-running server process (`amina serve`).

Python's defaults (a young collection every 700 net allocations, a full one every 100 young
ones when the heap grew by a quarter) are tuned for scripts. In a server they cost two ways,
both measured on the intake (docs/performance.md, "Fourth run"):

- a full collection walks every object the process holds, the ~240,000 of its modules,
  classes, functions, SQLAlchemy's metadata and pydantic's schemas included, which never
  become garbage: 100–250 ms with the GIL held, every few seconds under load, and every
  request in flight waits it out (the p99 was 4–6 times the median);
- a young collection every 700 allocations is several per request.

Each transaction leaves cyclic garbage behind (the SQLAlchemy session and connection wrappers,
the driver's cursor and its per-statement adapters: ~100 objects), which only the collector
frees, and freeing it is most of a young collection's time. So the young threshold trades the
number of collections against the length of each: at 100,000 one took 145–180 ms (70,000
objects freed at once, the p99 followed), at 10,000 they stay short; 2,000 gave the same p99
with twice the collector's total time.

So, once the app is built: collect once (nothing cyclic is left behind to leak), freeze what
survives (`gc.freeze`: moved to a permanent generation the collector no longer walks; objects
freed by reference counting are still freed), and collect the young generation every
`young_threshold` allocations. Once more after the first `again_after_s` of serving, for what
the first requests built to last (compiled statements, the driver, the caches' first entries):
that time only the youngest generation is collected first (at most `young_threshold` objects;
young collections under load took 0.1 ms at the median, 8 ms at most), so there is no long
pause while serving. Collecting the middle generation too, which holds the survivors of up to
20 young collections, took 33 ms under load (a `gc.callbacks` probe, docs/performance.md,
"Ninth run"), and every request in flight waited. Cyclic garbage already promoted by then
(under a thousand objects: what that collection freed) is frozen with the rest, once. Cycles
made afterwards are still collected.
"""

from __future__ import annotations

import gc
import threading

OLDER_THRESHOLDS = (20, 100)  # young collections per middle one, middle ones per full one


def settle(young_threshold: int) -> int:
    """Freeze what the process holds now; collect every `young_threshold` allocations (0:
    leave the collector as Python set it). Returns how many objects were frozen."""
    if young_threshold <= 0:
        return 0
    gc.collect()
    gc.freeze()
    gc.set_threshold(young_threshold, *OLDER_THRESHOLDS)
    return gc.get_freeze_count()


def settle_again_later(again_after_s: float) -> threading.Timer | None:
    """Freeze once more after `again_after_s` seconds (0: not), on a daemon timer thread."""
    if again_after_s <= 0:
        return None
    timer = threading.Timer(again_after_s, _collect_and_freeze)
    timer.daemon = True
    timer.start()
    return timer


def _collect_and_freeze() -> None:
    gc.collect(0)  # the youngest generation only (see above)
    gc.freeze()
