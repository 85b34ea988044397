"""`reportin.fast_reports` (msgspec) may only say yes where `LocationIn` (pydantic) says yes,
with the same values; everywhere else it steps aside and pydantic judges.

Checked by example (each known way the two parsers differ, and the usual bodies, which the fast
path must take, or it is no faster) and by Hypothesis, over reports made of near-valid fields.
"""

from __future__ import annotations

import uuid
from datetime import UTC
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from amina.monitoring.reportin import Report, fast_reports
from amina.schemas import LocationIn

_MODELS = TypeAdapter(list[LocationIn])
ID = "23f86eb1-7fb0-4ec7-b497-275b540c4cc2"


def report(**fields: Any) -> dict[str, Any]:
    return {
        "id": ID,
        "lat": 55.752,
        "lon": 37.6175,
        "accuracy_m": 15.0,
        "recorded_at": "2026-11-20T06:53:00Z",
        "source": "gps",
        "mock": False,
    } | fields


def values(report: Report | LocationIn) -> tuple[Any, ...]:
    return (
        report.id,
        report.recorded_at,
        report.recorded_at.tzinfo is UTC,
        report.lat,
        report.lon,
        report.accuracy_m,
        report.source,
        report.mock,
    )


def by_pydantic(items: list[Any]) -> list[tuple[Any, ...]] | None:
    try:
        return [values(model) for model in _MODELS.validate_python(items)]
    except ValidationError:
        return None


def by_msgspec(items: list[Any]) -> list[tuple[Any, ...]] | None:
    """Through the body, as the route gives it: the items are what orjson makes of it."""
    body = orjson.dumps({"reports": items})
    parsed = orjson.loads(body)["reports"]
    fast = fast_reports(parsed, body)
    return None if fast is None else [values(report) for report in fast]


def agree(items: list[Any]) -> list[tuple[Any, ...]] | None:
    fast = by_msgspec(items)
    if fast is not None:
        assert fast == by_pydantic(items)
    return fast


TAKEN = {
    "Z": report(),
    "lowercase t and z": report(recorded_at="2026-11-20t06:53:00z"),
    "a space for T": report(recorded_at="2026-11-20 06:53:00Z"),
    "Moscow's offset": report(recorded_at="2026-11-20T09:53:00+03:00"),
    "an offset without a colon": report(recorded_at="2026-11-20T09:53:00+0300"),
    "-00:00": report(recorded_at="2026-11-20T06:53:00-00:00"),
    "microseconds": report(recorded_at="2026-11-20T06:53:00.123456Z"),
    "a tenth": report(recorded_at="2026-11-20T06:53:00.1+03:00"),
    "an id without hyphens": report(id=ID.replace("-", "")),
    "an id in capitals": report(id=ID.upper()),
    "integer coordinates": report(lat=55, lon=37, accuracy_m=10),
    "a phone's long decimals": report(lat=55.751234567891, lon=37.6175123456789, accuracy_m=4.5e-7),
    "the poles and the date line": report(lat=-90, lon=180.0),
    "a heartbeat": report(lat=None, lon=None, accuracy_m=None),
    "defaults": {"id": ID, "recorded_at": "2026-11-20T06:53:00Z"},
    "a mock fix": report(mock=True, source="manual"),
}


@pytest.mark.parametrize("name", list(TAKEN))
def test_the_usual_reports_take_the_fast_path_with_pydantics_values(name: str) -> None:
    items = [TAKEN[name], report(id=str(uuid.uuid4()))]
    fast = agree(items)
    assert fast is not None and len(fast) == 2
    assert all(instant.tzinfo is UTC for _, instant, *_ in fast)


DECLINED = {
    # msgspec rounds a seventh decimal, pydantic truncates: 06:53:01 against 06:53:00.999999
    "seven decimals": report(recorded_at="2026-11-20T06:53:00.9999999Z"),
    "thirteen decimals": report(recorded_at="2026-11-20T06:53:00.1234567890123Z"),
    # LocationIn's model validator
    "coordinates without an accuracy": report(accuracy_m=None),
    "a latitude alone": report(lon=None),
    # forms pydantic takes and msgspec does not: judged by pydantic
    "unix seconds": report(recorded_at=1763621580),
    "unix seconds as text": report(recorded_at="1763621580"),
    "no seconds": report(recorded_at="2026-11-20T06:53Z"),
    "a comma before the fraction": report(recorded_at="2026-11-20T06:53:00,5Z"),
    "a braced id": report(id="{" + ID + "}"),
    "a URN id": report(id="urn:uuid:" + ID),
    # both refuse
    "no offset": report(recorded_at="2026-11-20T06:53:00"),
    "a leap second": report(recorded_at="2026-11-20T23:59:60Z"),
    "hour 24": report(recorded_at="2026-11-20T24:00:00Z"),
    "offset +24:00": report(recorded_at="2026-11-20T06:53:00+24:00"),
    "a boolean latitude": report(lat=True),
    "a latitude as text": report(lat="55.7"),
    "north of the pole": report(lat=90.0000001),
    "no accuracy at all": report(accuracy_m=0),
    "mock as 0": report(mock=0),
    "an unknown source": report(source="GPS"),
    "an unknown field": report(note="x"),
    "no id": {k: v for k, v in report().items() if k != "id"},
    "not an object": "a report",
    # UTC cannot hold it: pydantic keeps its offset, and so must the answer
    "year 1 at +03:00": report(recorded_at="0001-01-01T00:00:00+03:00"),
}


@pytest.mark.parametrize("name", list(DECLINED))
def test_what_the_two_might_read_differently_goes_to_pydantic(name: str) -> None:
    assert by_msgspec([report(id=str(uuid.uuid4())), DECLINED[name]]) is None


def test_a_body_with_text_beyond_ascii_goes_to_pydantic() -> None:
    items = [report()]
    body = orjson.dumps({"reports": items})
    assert fast_reports(items, body) is not None
    assert fast_reports(items, body[:-1] + " \u00a0}".encode()) is None


# -- Hypothesis: near-valid fields, mixed ----------------------------------------------------

_DATE = st.sampled_from(["2026-11-20", "2026-02-29", "2028-02-29", "0001-01-01", "9999-12-31"])
_SEP = st.sampled_from(["T", "t", " ", "_", "x", ""])
_TIME = st.sampled_from(["06:53:00", "23:59:59", "23:59:60", "24:00:00", "06:53", "6:53:00"])
_FRACTION = st.one_of(
    st.just(""),
    st.integers(min_value=0, max_value=10).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n).map(lambda d: "." + d)
    ),
    st.sampled_from([",5", ".1234567", ".9999999", ".000000999"]),
)
_OFFSET = st.sampled_from(
    ["Z", "z", "", "+03:00", "-00:00", "+0300", "+03", "+23:59", "-23:59", "+24:00", " Z", "UTC"]
)
_INSTANT = st.one_of(
    st.tuples(_DATE, _SEP, _TIME, _FRACTION, _OFFSET).map("".join),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
)
_ID = st.one_of(
    st.uuids().map(str),
    st.uuids().map(lambda u: u.hex),
    st.uuids().map(lambda u: str(u).upper()),
    st.uuids().map(lambda u: "{" + str(u) + "}"),
    st.uuids().map(lambda u: str(u)[:-1]),
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
)
_NUMBER = st.one_of(
    st.none(),
    st.floats(min_value=-90, max_value=90),
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.sampled_from([0, 90, -90, 180, -180, 1_000_000, 1_000_001, 0.0, -0.0, True, "55.7"]),
)
_FIELDS = st.fixed_dictionaries(
    {"id": _ID, "recorded_at": _INSTANT},
    optional={
        "lat": _NUMBER,
        "lon": _NUMBER,
        "accuracy_m": _NUMBER,
        "source": st.sampled_from(["gps", "network", "fused", "manual", "GPS", "", None]),
        "mock": st.one_of(st.booleans(), st.sampled_from([0, 1, None, "false"])),
        "note": st.just("x"),
    },
)


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FIELDS, min_size=1, max_size=3))
def test_fast_path_agrees_with_pydantic_on_anything(items: list[dict[str, Any]]) -> None:
    agree(items)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.tuples(st.uuids(), _DATE, st.sampled_from(["T", "t", " "]), _FRACTION, _OFFSET),
        min_size=1,
        max_size=3,
    )
)
def test_fast_path_takes_what_both_read_alike(parts: list[tuple[Any, ...]]) -> None:
    items = [
        report(id=str(u), recorded_at=f"{date}{sep}06:53:00{fraction}{offset}")
        for u, date, sep, fraction, offset in parts
    ]
    fast = agree(items)
    alike = all(
        date not in ("0001-01-01", "9999-12-31")
        and "," not in fraction
        and len(fraction) <= 7
        and offset in ("Z", "z", "+03:00", "-00:00", "+0300", "+23:59", "-23:59")
        and date != "2026-02-29"
        for _, date, _, fraction, offset in parts
    )
    if alike and by_pydantic(items) is not None:
        assert fast is not None
