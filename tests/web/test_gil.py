"""`amina serve` shortens the GIL's switch interval (`web/gil.py`); 0 leaves Python's."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from amina.config import Settings
from amina.web import gil


@pytest.fixture
def interval() -> Iterator[float]:
    before = sys.getswitchinterval()
    yield before
    sys.setswitchinterval(before)


def test_the_interval_is_set_in_milliseconds(interval: float) -> None:
    assert gil.set_switch_interval(0.5) == pytest.approx(0.0005)
    assert sys.getswitchinterval() == pytest.approx(0.0005)


def test_zero_leaves_the_interval_as_it_is(interval: float) -> None:
    assert gil.set_switch_interval(0) == pytest.approx(interval)


def test_the_setting_refuses_a_negative_interval() -> None:
    with pytest.raises(ValueError, match="gil_switch_interval_ms"):
        Settings(gil_switch_interval_ms=-1)
