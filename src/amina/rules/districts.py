"""Police districts: which district a point lies in, and whom a police officer may see.

Districts come from an operator-supplied GeoJSON FeatureCollection of Polygons and
MultiPolygons (lon/lat, WGS84), one feature per district, each with a short stable code.
A point on a shared edge belongs to both neighbours; `locate` then answers the smallest code,
so every process places the same point in the same district.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

import shapely
from shapely.geometry.base import BaseGeometry

MAX_CODE = 64
MAX_NAME = 200


class DistrictDataError(ValueError):
    """The GeoJSON cannot be used as districts (the message says which feature and why)."""


@dataclass(frozen=True)
class District:
    code: str
    name: str
    geometry: BaseGeometry = field(compare=False, repr=False)


def _text(value: Any, what: str, limit: int, where: str) -> str:
    text = str(value).strip() if isinstance(value, str | int) else ""
    if not text or len(text) > limit:
        raise DistrictDataError(f"{where}: {what} must be 1 to {limit} characters")
    return text


def _geometry(raw: Any, where: str) -> BaseGeometry:
    if not isinstance(raw, Mapping) or raw.get("type") not in {"Polygon", "MultiPolygon"}:
        raise DistrictDataError(f"{where}: the geometry must be a Polygon or a MultiPolygon")
    try:
        geometry = shapely.geometry.shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        raise DistrictDataError(f"{where}: unreadable coordinates ({error})") from None
    min_lon, min_lat, max_lon, max_lat = geometry.bounds
    if (
        geometry.is_empty
        or not all(math.isfinite(v) for v in geometry.bounds)
        or min_lon < -180
        or max_lon > 180
        or min_lat < -90
        or max_lat > 90
    ):
        raise DistrictDataError(f"{where}: coordinates must be lon/lat degrees (WGS84)")
    if not geometry.is_valid:
        # Self-touching rings are common in exported boundaries; repair, keep the area.
        geometry = shapely.make_valid(geometry)
        geometry = shapely.union_all(
            [g for g in shapely.get_parts(geometry) if g.geom_type in {"Polygon", "MultiPolygon"}]
        )
    if geometry.area <= 0:
        raise DistrictDataError(f"{where}: the polygon has no area")
    return geometry


def parse(
    collection: Mapping[str, Any], *, code_property: str = "code", name_property: str = "name"
) -> list[District]:
    """The districts of a GeoJSON FeatureCollection, or DistrictDataError."""
    features = collection.get("features")
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise DistrictDataError("expected a GeoJSON FeatureCollection")
    if not features:
        raise DistrictDataError("the FeatureCollection has no features")
    districts: dict[str, District] = {}
    for n, feature in enumerate(features):
        where = f"feature {n}"
        properties = feature.get("properties") if isinstance(feature, Mapping) else None
        if not isinstance(properties, Mapping):
            raise DistrictDataError(f"{where}: a feature needs properties")
        code = _text(properties.get(code_property), f"'{code_property}'", MAX_CODE, where)
        name = _text(properties.get(name_property, code), f"'{name_property}'", MAX_NAME, where)
        if code in districts:
            raise DistrictDataError(f"{where}: the code {code!r} is used twice")
        districts[code] = District(code, name, _geometry(feature.get("geometry"), where))
    return [districts[code] for code in sorted(districts)]


def simplified(district: District, tolerance_deg: float) -> District:
    """The district with its outline simplified (topology kept), for storing or drawing."""
    return District(
        district.code,
        district.name,
        district.geometry.simplify(tolerance_deg, preserve_topology=True),
    )


class DistrictIndex:
    """Point-in-polygon over many districts (an STR tree, prepared geometries)."""

    def __init__(self, districts: Iterable[District]) -> None:
        self.districts: tuple[District, ...] = tuple(sorted(districts, key=lambda d: d.code))
        geometries = [d.geometry for d in self.districts]
        shapely.prepare(geometries)
        self._tree = shapely.STRtree(geometries)

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(d.code for d in self.districts)

    def locate(self, lat: float, lon: float) -> str | None:
        """The code of the district the point lies in (its edge included), or None."""
        if not (math.isfinite(lat) and math.isfinite(lon)):
            return None
        point = shapely.Point(lon, lat)
        hits = self._tree.query(point, predicate="intersects")
        codes = sorted(self.districts[int(i)].code for i in hits)
        return codes[0] if codes else None

    def locate_many(self, points: Sequence[tuple[float, float]]) -> list[str | None]:
        return [self.locate(lat, lon) for lat, lon in points]


class ScopeKind(StrEnum):
    EVERYONE = "everyone"
    DISTRICT = "district"
    NOBODY = "nobody"


def officer_scope(
    *, is_police: bool, districts_loaded: bool, officer_district: str | None
) -> ScopeKind:
    """Whom an officer sees (issue 11): police only their district's people, when districts
    are set. No districts loaded: the scope is off. Loaded, but none assigned: nobody."""
    if not is_police or not districts_loaded:
        return ScopeKind.EVERYONE
    if officer_district is None:
        return ScopeKind.NOBODY
    return ScopeKind.DISTRICT


def in_scope(
    kind: ScopeKind, officer_district: str | None, person_districts: Iterable[str | None]
) -> bool:
    """Whether a person placed in `person_districts` (residence, last known) is visible."""
    if kind is ScopeKind.EVERYONE:
        return True
    if kind is ScopeKind.NOBODY:
        return False
    return officer_district in set(person_districts)
