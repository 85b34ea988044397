"""`amina serve` freezes what the built app holds and collects the young generation less often
(`web/heap.py`); cycles made afterwards are still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from amina.web import heap


@pytest.fixture
def collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_settle_freezes_the_heap_and_raises_the_young_threshold(collector: None) -> None:
    frozen = heap.settle(25_000)
    assert frozen == gc.get_freeze_count() > 1_000  # the modules and classes loaded so far
    assert gc.get_threshold() == (25_000, *heap.OLDER_THRESHOLDS)


def test_a_cycle_made_after_settling_is_still_collected(collector: None) -> None:
    heap.settle(25_000)
    a, b = Node(), Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    del a, b
    gc.collect()
    assert gone() is None


def test_zero_leaves_the_collector_as_it_was(collector: None) -> None:
    before = (gc.get_threshold(), gc.get_freeze_count())
    assert heap.settle(0) == 0
    assert (gc.get_threshold(), gc.get_freeze_count()) == before


def test_settling_again_later_freezes_what_was_built_meanwhile(collector: None) -> None:
    heap.settle(25_000)
    before = gc.get_freeze_count()
    built = [Node() for _ in range(5_000)]  # e.g. the first requests' caches
    timer = heap.settle_again_later(0.01)
    assert timer is not None
    timer.join(10)
    assert gc.get_freeze_count() >= before + len(built)
    assert heap.settle_again_later(0) is None
