"""Connectivity outages by area (rules.md §9): whose deadlines they move, and by which days.

For a person whose last accepted report before or during the window lies in the area, a working
day counts only if the window leaves at least `min_available_hours` of it (the §4 rule for
service outages). "Lies in the area" allows for the report's accuracy: a fix whose accuracy
circle touches the area counts as inside. The band at the edge is never used against a person.

Areas are GeoJSON geometries in lon/lat. Distances are measured in a local equirectangular
projection centred on the fix; over an area the size of Moscow Oblast its error stays under
0.5 %, and `EDGE_MARGIN` widens every circle by more than that, so rounding only ever helps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from amina.rules.calendar import Outage, WorkingCalendar, days_lost_to_outages

EARTH_RADIUS_M = 6_371_008.8
EDGE_MARGIN = 0.01  # 1 % of the fix's distance to the area, plus EDGE_MARGIN_M
EDGE_MARGIN_M = 25.0
AREA_TYPES = ("Polygon", "MultiPolygon")
MAX_VERTICES = 50_000


class AreaError(ValueError):
    """Not a usable outage area."""


def parse_area(geometry: Mapping[str, Any]) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon (lon/lat, WGS 84) as a valid shapely geometry."""
    if not isinstance(geometry, Mapping) or geometry.get("type") not in AREA_TYPES:
        raise AreaError("an area is a GeoJSON Polygon or MultiPolygon")
    try:
        area = shape(geometry)
    except (TypeError, ValueError, KeyError, IndexError, AttributeError) as error:
        raise AreaError(f"the area's coordinates are malformed ({error})") from None
    if not area.is_valid:
        area = shapely.make_valid(area)  # a self-intersecting ring becomes its parts
    if area.is_empty or area.area == 0:
        raise AreaError("the area is empty")
    if shapely.get_num_coordinates(area) > MAX_VERTICES:
        raise AreaError(f"the area has more than {MAX_VERTICES} vertices")
    min_lon, min_lat, max_lon, max_lat = area.bounds
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise AreaError("the area's coordinates are not longitude/latitude")
    return area


@dataclass(frozen=True)
class Fix:
    """Where a report was: position, accuracy (metres; None is treated as 0) and time."""

    lat: float
    lon: float
    accuracy_m: float | None
    recorded_at: datetime


@dataclass(frozen=True)
class AreaOutage:
    area: BaseGeometry
    starts_at: datetime
    ends_at: datetime

    def __post_init__(self) -> None:
        Outage(self.starts_at, self.ends_at)  # the same checks as a service outage


def distance_m(area: BaseGeometry, lat: float, lon: float) -> float:
    """Metres from (lat, lon) to the area (0 inside)."""
    scale_x = EARTH_RADIUS_M * math.radians(1) * math.cos(math.radians(lat))
    scale_y = EARTH_RADIUS_M * math.radians(1)
    local = shapely.transform(area, lambda xy: (xy - (lon, lat)) * (scale_x, scale_y))
    return float(local.distance(shapely.Point(0.0, 0.0)))


def in_area(area: BaseGeometry, fix: Fix) -> bool:
    """Inside, or within the fix's accuracy (plus the margin) of the area's edge."""
    distance = distance_m(area, fix.lat, fix.lon)
    reach = max(fix.accuracy_m or 0.0, 0.0) + EDGE_MARGIN_M
    return distance * (1 - EDGE_MARGIN) <= reach


def covering(outages: Iterable[AreaOutage], fix: Fix | None) -> list[AreaOutage]:
    """The outages that apply to a person whose last accepted report is `fix`.

    A report after the window's end says nothing about the window (and the window is then
    before the last monitoring, where it cannot move a deadline anyway)."""
    if fix is None:
        return []
    return [o for o in outages if fix.recorded_at <= o.ends_at and in_area(o.area, fix)]


def lost_days(
    outages: Iterable[AreaOutage],
    fix: Fix | None,
    min_available_hours: float,
    service_outages: Iterable[Outage] = (),
) -> frozenset[date]:
    """The Moscow dates that do not count for this person. Service outages on the same days
    are added in, so three hours of each on one day are six hours lost, not three."""
    applying = covering(outages, fix)
    if not applying:
        return frozenset()
    windows = [Outage(o.starts_at, o.ends_at) for o in applying]
    return days_lost_to_outages([*windows, *service_outages], min_available_hours)


def for_person(calendar: WorkingCalendar, extra_lost_days: frozenset[date]) -> WorkingCalendar:
    """The calendar with this person's area-lost days skipped too."""
    if not extra_lost_days:
        return calendar
    return replace(calendar, lost_days=calendar.lost_days | extra_lost_days)
