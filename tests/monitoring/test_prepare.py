"""`intake.prepare`: what the request body's one scan (`raw`) may skip, and what it may not.

Given the body the reports were parsed from, `prepare` looks at it once instead of scanning every
string of every report for control characters; the outcome must be exactly the one without it:
the same 422 with the same message, or the same accepted, duplicate and rejected reports.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec
import orjson
import pytest

from amina.config import Settings
from amina.errors import InvalidInput
from amina.monitoring.intake import _may_hold_control, prepare
from amina.rules.calendar import MOSCOW
from amina.schemas import has_control

NOW = datetime(2026, 11, 20, 10, 0, tzinfo=MOSCOW)
SETTINGS = Settings()
RECORDED = (NOW - timedelta(minutes=7)).isoformat()


def report(**fields: Any) -> dict[str, Any]:
    return {
        "id": str(uuid.uuid4()),
        "lat": 55.752,
        "lon": 37.6175,
        "accuracy_m": 15.0,
        "recorded_at": RECORDED,
        "source": "gps",
        "mock": False,
    } | fields


def body_with(fragment: bytes, *, before: int = 1, after: int = 1) -> bytes:
    """A request body whose middle report ends with the JSON members `fragment`, verbatim."""
    first = orjson.dumps({"reports": [report() for _ in range(before)]})[:-2]
    middle = orjson.dumps(report())[:-1] + b"," + fragment + b"}"
    last = orjson.dumps([report() for _ in range(after)])[1:]
    return first + b"," + middle + b"," + last + b"}"


def parsed(body: bytes) -> list[Any]:
    """The reports, parsed as the route does; the stdlib for the bodies orjson refuses (a lone
    surrogate), to show that `prepare` would still catch them."""
    try:
        items = orjson.loads(body)["reports"]
    except orjson.JSONDecodeError:
        items = json.loads(body)["reports"]
    assert isinstance(items, list)
    return items


def outcome(items: list[Any], raw: bytes | None = None) -> object:
    try:
        prepared = prepare(items, now=NOW, settings=SETTINGS, raw=raw)
    except InvalidInput as error:
        return ("422", error.code, error.message)
    result = prepared.result
    return (
        [msgspec.structs.asdict(r) for r in prepared.valid],
        result.accepted,
        result.duplicates,
        result.rejected,
    )


def refused(where: str) -> tuple[str, str, str]:
    return ("422", "invalid_request", f"reports.1.{where}: control characters are not allowed")


BODIES = {
    "clean": (b'"source": "network"', None),
    "NUL escaped in a value": (rb'"source": "gps\u0000"', refused("source")),
    "newline escaped in a value": (rb'"source": "g\nps"', refused("source")),
    "control escaped in a key": (rb'"sou\u0001rce": "gps"', refused("sou\x01rce")),
    "NUL escaped in an unknown key's value": (rb'"note": "a\u0000"', refused("note")),
    "raw DEL in a value": (b'"source": "gps\x7f"', refused("source")),
    "raw DEL in a key": (b'"no\x7fte": 1', refused("no\x7fte")),
    "raw U+0085 in a value": (b'"source": "gps\xc2\x85"', refused("source")),
    "raw U+009F in a key": (b'"no\xc2\x9fte": 1', refused("no\x9fte")),
    "lone surrogate escaped": (rb'"source": "\ud800"', refused("source")),
    "harmless escapes": (rb'"source": "\u0067p\u0073"', None),
    "escaped quote and slash": (rb'"note": "a \"b\" c\/d"', "invalid_report"),
    "escaped emoji (a surrogate pair)": (rb'"note": "\ud83d\ude00"', "invalid_report"),
    "raw é": ('"note": "café"'.encode(), "invalid_report"),
    "raw U+00A0 (not a control)": (b'"note": "a\xc2\xa0b"', "invalid_report"),
    "raw U+2028 (not printable, not a control)": (b'"note": "a\xe2\x80\xa8b"', "invalid_report"),
    "raw Hangul next to the surrogates": ('"note": "\ud7a3"'.encode(), "invalid_report"),
    "a wrong JSON type": (b'"mock": "no"', "422"),
    "a NUL deeper down (not scanned, a wrong type)": (rb'"mock": {"a": "\u0000"}', "422"),
}


@pytest.mark.parametrize("name", list(BODIES))
def test_the_body_scan_changes_no_outcome(name: str) -> None:
    fragment, expected = BODIES[name]
    body = body_with(fragment)
    items = parsed(body)
    with_raw, without = outcome(items, raw=body), outcome(items)
    assert with_raw == without
    if expected is None:
        assert isinstance(with_raw, tuple) and len(with_raw[0]) == 3
    elif expected == "422":
        assert isinstance(with_raw, tuple) and with_raw[:2] == ("422", "invalid_request")
    elif expected == "invalid_report":
        assert isinstance(with_raw, tuple) and len(with_raw[0]) == 2
        assert [r.code for r in with_raw[3]] == ["invalid_report"]
    else:
        assert with_raw == expected


@pytest.mark.parametrize(
    ("name", "scanned"),
    [
        ("clean", False),
        ("raw é", False),
        ("raw U+00A0 (not a control)", False),
        ("raw U+2028 (not printable, not a control)", False),
        ("raw Hangul next to the surrogates", False),
        ("harmless escapes", True),
        ("raw DEL in a value", True),
        ("raw U+0085 in a value", True),
    ],
)
def test_only_a_body_that_may_hold_a_control_character_is_scanned(name: str, scanned: bool) -> None:
    assert _may_hold_control(body_with(BODIES[name][0])) is scanned


def test_strict_json_holds_no_raw_control_character_in_a_string() -> None:
    """Why a body without a backslash needs no scan for U+0000–U+001F: orjson refuses them raw,
    in values and in keys; DEL and the C1 controls it lets through, so the scan looks for them."""
    for code in range(0x20):
        for text in (b'{"a": "x%sy"}', b'{"x%sy": 1}'):
            with pytest.raises(orjson.JSONDecodeError):
                orjson.loads(text % bytes([code]))
    assert orjson.loads(b'{"a": "\x7f\xc2\x85"}') == {"a": "\x7f\x85"}
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(b'{"a": "\xed\xa0\x80"}')  # a surrogate, raw: not UTF-8


def test_what_has_control_refuses_is_never_printable() -> None:
    """The per-string scan asks `has_control` only about strings that are not printable."""
    for code in range(0x110000):
        char = chr(code)
        assert not (has_control(char) and char.isprintable()), hex(code)


def test_the_first_422_is_the_first_in_the_batch() -> None:
    """A wrong type in report 0 is reported before a control character in report 1, as before."""
    body = body_with(rb'"source": "gps\u0000"')
    items = parsed(body)
    items[0]["lat"] = "55.7"
    assert outcome(items, raw=body) == outcome(items)
    assert outcome(items) == (
        "422",
        "invalid_request",
        "reports.0.lat: Input should be a valid number",
    )


def test_a_batch_with_bad_duplicate_and_late_reports_is_judged_the_same() -> None:
    repeated = report()
    items = [
        report(),
        repeated,
        report(lat=91.0),
        repeated,
        "not a report",
        report(recorded_at=(NOW + timedelta(hours=1)).isoformat()),
        report(recorded_at=(NOW - timedelta(days=31)).isoformat()),
        report(lat=None, lon=None, accuracy_m=None),
    ]
    body = orjson.dumps({"reports": items})
    with_raw = outcome(items, raw=body)
    assert with_raw == outcome(items)
    assert isinstance(with_raw, tuple)
    valid, _, duplicates, rejected = with_raw
    assert len(valid) == 3 and duplicates == [uuid.UUID(repeated["id"])]
    assert [r.code for r in rejected] == [
        "invalid_report",
        "invalid_report",
        "recorded_in_future",
        "too_old",
    ]


@pytest.mark.parametrize("count", [1, 2, 100])
def test_clean_batches_are_accepted_whole(count: int) -> None:
    items = [report() for _ in range(count)]
    prepared = prepare(items, now=NOW, settings=SETTINGS, raw=orjson.dumps({"reports": items}))
    assert [str(r.id) for r in prepared.valid] == [i["id"] for i in items]
    assert not prepared.result.rejected and not prepared.result.duplicates


def prepared_both_ways(items: list[Any]) -> list[Any]:
    """`prepare` given the body (msgspec's fast path) and not (pydantic alone): the same."""
    raw = orjson.dumps({"reports": items})
    fast, slow = (prepare(items, now=NOW, settings=SETTINGS, raw=body) for body in (raw, None))
    assert [msgspec.structs.asdict(r) for r in fast.valid] == [
        msgspec.structs.asdict(r) for r in slow.valid
    ]
    assert fast.result == slow.result
    return [fast, slow]


@pytest.mark.parametrize("written", ["2026-11-20T09:53:00+03:00", "2026-11-20T06:53:00Z"])
def test_recorded_at_comes_out_in_utc_at_the_same_instant(written: str) -> None:
    (valid,) = prepared_both_ways([report(recorded_at=written)])[0].valid
    assert valid.recorded_at.tzinfo is UTC
    assert valid.recorded_at == datetime(2026, 11, 20, 9, 53, tzinfo=MOSCOW)
    assert valid.recorded_at.utcoffset() == timedelta(0)


def _rejection(recorded_at: datetime) -> str | None:
    prepared = prepared_both_ways([report(recorded_at=recorded_at.isoformat())])[0]
    rejected = prepared.result.rejected
    assert len(prepared.valid) + len(rejected) == 1
    return rejected[0].code if rejected else None


def test_the_timing_window_includes_its_edges_and_not_a_microsecond_more() -> None:
    skew = timedelta(seconds=SETTINGS.clock_skew_s)
    max_age = timedelta(days=SETTINGS.max_report_age_days)
    tick = timedelta(microseconds=1)
    for written in (NOW, NOW.astimezone(UTC)):
        assert _rejection(written + skew) is None
        assert _rejection(written + skew + tick) == "recorded_in_future"
        assert _rejection(written - max_age) is None
        assert _rejection(written - max_age - tick) == "too_old"


def test_instants_at_the_ends_of_the_calendar_are_refused_as_before() -> None:
    """UTC cannot hold them (year 0, year 10000): they keep their offset and are judged."""
    assert _rejection(datetime.fromisoformat("0001-01-01T00:00:00+03:00")) == "too_old"
    assert _rejection(datetime.fromisoformat("9999-12-31T23:00:00-05:00")) == ("recorded_in_future")
