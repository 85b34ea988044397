"""Connectivity outages by area (rules.md §9): who is covered, which days are lost."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from amina.rules import area_outages as rules
from amina.rules.calendar import MOSCOW, Outage, WorkingCalendar

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[37.5, 55.7], [37.7, 55.7], [37.7, 55.8], [37.5, 55.8], [37.5, 55.7]]],
}
METRES_PER_DEGREE_LAT = 111_195.0


def msk(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=MOSCOW)


def outage(start: str = "2026-11-17T00:00", end: str = "2026-11-19T00:00") -> rules.AreaOutage:
    return rules.AreaOutage(rules.parse_area(SQUARE), msk(start), msk(end))


def fix(lat: float, lon: float = 37.6, accuracy: float | None = 10.0, at: str = "2026-11-16T18:00"):
    return rules.Fix(lat, lon, accuracy, msk(at))


def test_parse_area_accepts_polygons_and_repairs_self_intersections() -> None:
    assert rules.parse_area(SQUARE).area > 0
    multi = {"type": "MultiPolygon", "coordinates": [SQUARE["coordinates"]]}
    assert rules.parse_area(multi).area > 0
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    assert rules.parse_area(bowtie).is_valid


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Point", "coordinates": [37.6, 55.7]},
        "not a mapping",
        {"type": "Polygon", "coordinates": "garbage"},
        {"type": "Polygon", "coordinates": []},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]},
        {"type": "Polygon", "coordinates": [[[200, 0], [201, 0], [201, 1], [200, 0]]]},
    ],
)
def test_parse_area_refuses_what_is_not_an_area(geometry: object) -> None:
    with pytest.raises(rules.AreaError):
        rules.parse_area(geometry)  # type: ignore[arg-type]


def test_parse_area_refuses_huge_polygons(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rules, "MAX_VERTICES", 4)
    with pytest.raises(rules.AreaError, match="vertices"):
        rules.parse_area(SQUARE)


def test_inside_is_covered_and_far_outside_is_not() -> None:
    assert rules.in_area(outage().area, fix(55.75))
    assert not rules.in_area(outage().area, fix(55.9))


def test_the_accuracy_band_at_the_edge_is_never_used_against_a_person() -> None:
    area = outage().area
    outside_by_300m = 55.8 + 300 / METRES_PER_DEGREE_LAT
    assert rules.in_area(area, fix(outside_by_300m, accuracy=300.0))  # could have been inside
    assert rules.in_area(area, fix(outside_by_300m, accuracy=290.0))  # the margin helps too
    assert not rules.in_area(area, fix(outside_by_300m, accuracy=100.0))
    assert not rules.in_area(area, fix(outside_by_300m, accuracy=None))
    assert rules.distance_m(area, 55.75, 37.6) == 0


def test_only_outages_the_last_report_precedes_or_falls_in_apply() -> None:
    window = outage()
    assert rules.covering([window], None) == []
    assert rules.covering([window], fix(55.75)) == [window]
    assert rules.covering([window], fix(55.75, at="2026-11-18T12:00")) == [window]
    assert rules.covering([window], fix(55.75, at="2026-11-19T00:01")) == []


def test_lost_days_follow_the_20_of_24_hours_rule() -> None:
    assert rules.lost_days([outage()], fix(55.9), 20) == frozenset()
    lost = rules.lost_days([outage("2026-11-17T00:00", "2026-11-18T03:59")], fix(55.75), 20)
    assert lost == {date(2026, 11, 17)}  # 3h59 of the 18th down: it still counts
    # Three hours of shutdown and two of service outage on one day: five hours lost.
    shared = rules.lost_days(
        [outage("2026-11-18T00:00", "2026-11-18T03:00")],
        fix(55.75),
        20,
        service_outages=[Outage(msk("2026-11-18T10:00"), msk("2026-11-18T12:00"))],
    )
    assert shared == {date(2026, 11, 18)}


def test_for_person_skips_the_lost_days_on_top_of_the_calendar() -> None:
    calendar = WorkingCalendar()
    assert rules.for_person(calendar, frozenset()) is calendar
    mine = rules.for_person(calendar, frozenset({date(2026, 11, 17)}))
    assert not mine.is_working_day(date(2026, 11, 17))
    assert calendar.is_working_day(date(2026, 11, 17))


def test_an_area_outage_needs_a_real_window() -> None:
    with pytest.raises(ValueError):
        rules.AreaOutage(rules.parse_area(SQUARE), msk("2026-11-17T00:00"), msk("2026-11-17T00:00"))
    assert outage().ends_at - outage().starts_at == timedelta(days=2)
