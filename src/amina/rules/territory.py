"""Is a point inside Moscow + Moscow Oblast, outside it, or too close to the border to say?

The packaged boundary (Natural Earth 10m, see data/PROVENANCE.md) is off by about 0.8 km
typically and up to 5 km, and phone fixes add their own error. So a point is only called INSIDE
or OUTSIDE when it is more than `tolerance_m` away from the boundary; anything in that band is
UNCERTAIN, which callers must never use against the person.

Geometry is done in metres, in a spherical azimuthal equidistant projection centred on Moscow.
Over the region (< 300 km from the centre) its scale error is < 0.05 %; using a single radius for
the ellipsoid adds up to about 0.1 %, i.e. < 10 m over a 6 km band.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

DEFAULT_TOLERANCE_M = 6000.0

_LAT0 = math.radians(55.75)
_LON0 = math.radians(37.62)
# Gaussian mean radius of curvature of WGS84 at 55.75°N: sqrt(M·N), the best single sphere here.
_RADIUS_M = 6_385_961.0
# Buffer arcs are drawn with this many segments per quarter circle. Dividing the buffer distance by
# cos(half a segment angle) puts the chords *outside* the true arc, so the uncertain band is never
# narrower than the tolerance (it is at most 0.12 % wider).
_QUAD_SEGS = 16
_ARC_FACTOR = 1.0 / math.cos(math.pi / (4 * _QUAD_SEGS))

_Floats = npt.NDArray[np.float64]


class Placement(StrEnum):
    INSIDE = "inside"
    OUTSIDE = "outside"
    # Within the tolerance band of the boundary: never used against the person.
    UNCERTAIN = "uncertain"


def _checked(
    lats: Sequence[float] | _Floats, lons: Sequence[float] | _Floats
) -> tuple[_Floats, _Floats]:
    """Validate lat/lon arrays: garbage must fail loudly, not be classified."""
    lat = np.asarray(lats, dtype=np.float64).reshape(-1)
    lon = np.asarray(lons, dtype=np.float64).reshape(-1)
    if lat.shape != lon.shape:
        raise ValueError(f"got {lat.size} latitudes but {lon.size} longitudes")
    bad = ~(np.isfinite(lat) & np.isfinite(lon) & (np.abs(lat) <= 90.0) & (np.abs(lon) <= 180.0))
    if bad.any():
        i = int(np.argmax(bad))
        raise ValueError(f"invalid coordinate at index {i}: lat={lat[i]:g}, lon={lon[i]:g}")
    return lat, lon


def _project(lat_deg: _Floats, lon_deg: _Floats) -> tuple[_Floats, _Floats]:
    """Azimuthal equidistant x/y in metres, centred on Moscow.

    Radius from the haversine angle and direction from the azimuth, so there is no c/sin(c)
    singularity: even the antipode lands ~20,000 km away, never near the centre.
    """
    lat, dlon = np.radians(lat_deg), np.radians(lon_deg) - _LON0
    hav = np.sin((lat - _LAT0) / 2) ** 2 + math.cos(_LAT0) * np.cos(lat) * np.sin(dlon / 2) ** 2
    dist = 2 * _RADIUS_M * np.arcsin(np.sqrt(np.clip(hav, 0.0, 1.0)))
    azimuth = np.arctan2(
        np.sin(dlon) * np.cos(lat),
        math.cos(_LAT0) * np.sin(lat) - math.sin(_LAT0) * np.cos(lat) * np.cos(dlon),
    )
    return dist * np.sin(azimuth), dist * np.cos(azimuth)


def _project_one(lat_deg: float, lon_deg: float) -> tuple[float, float]:
    """`_project` for one point, in floats (the same formula, term by term)."""
    lat, dlon = math.radians(lat_deg), math.radians(lon_deg) - _LON0
    hav = (
        math.sin((lat - _LAT0) / 2) ** 2 + math.cos(_LAT0) * math.cos(lat) * math.sin(dlon / 2) ** 2
    )
    dist = 2 * _RADIUS_M * math.asin(math.sqrt(min(max(hav, 0.0), 1.0)))
    azimuth = math.atan2(
        math.sin(dlon) * math.cos(lat),
        math.cos(_LAT0) * math.sin(lat) - math.sin(_LAT0) * math.cos(lat) * math.cos(dlon),
    )
    return dist * math.sin(azimuth), dist * math.cos(azimuth)


def _ring(coords: Any, where: str) -> _Floats:
    try:
        arr = np.asarray(coords, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{where}: ring is not a list of [lon, lat] positions") from exc
    if arr.ndim != 2 or arr.shape[0] < 4 or arr.shape[1] < 2:
        raise ValueError(f"{where}: ring needs at least 4 [lon, lat] positions")
    try:
        lat, lon = _checked(arr[:, 1], arr[:, 0])
    except ValueError as exc:
        raise ValueError(f"{where}: {exc}") from exc
    return np.column_stack(_project(lat, lon))


def _polygon(rings: Any, where: str) -> Any:
    if not isinstance(rings, list) or not rings:
        raise ValueError(f"{where}: a Polygon needs a non-empty list of rings")
    shell, *holes = (_ring(r, where) for r in rings)
    poly = shapely.Polygon(shell, holes)
    if not poly.is_valid:
        raise ValueError(f"{where}: invalid polygon ({shapely.is_valid_reason(poly)})")
    return poly


def _polygons(obj: Any, where: str) -> list[Any]:
    """All polygons of a FeatureCollection / Feature / Polygon / MultiPolygon, projected."""
    if not isinstance(obj, Mapping):
        raise ValueError(f"{where}: expected a GeoJSON object, got {type(obj).__name__}")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        features = obj.get("features")
        if not isinstance(features, list) or not features:
            raise ValueError(f"{where}: FeatureCollection has no features")
        return [p for i, f in enumerate(features) for p in _polygons(f, f"{where}.features[{i}]")]
    if kind == "Feature":
        return _polygons(obj.get("geometry"), f"{where}.geometry")
    coords = obj.get("coordinates")
    if kind == "Polygon":
        return [_polygon(coords, where)]
    if kind == "MultiPolygon" and isinstance(coords, list) and coords:
        return [_polygon(rings, f"{where}[{i}]") for i, rings in enumerate(coords)]
    raise ValueError(f"{where}: need a non-empty Polygon or MultiPolygon, got {kind!r}")


@dataclass(frozen=True)
class Territory:
    """A boundary in projected metres plus its prepared inner/outer tolerance buffers."""

    region: Any = field(repr=False)
    inner: Any = field(repr=False)  # points here are at least tolerance_m inside
    outer: Any = field(repr=False)  # points not here are at least tolerance_m outside
    tolerance_m: float

    @classmethod
    def from_geojson(
        cls, geojson: Mapping[str, Any], tolerance_m: float = DEFAULT_TOLERANCE_M
    ) -> Territory:
        """Build from a GeoJSON FeatureCollection, Feature, Polygon or MultiPolygon (unioned)."""
        if not (math.isfinite(tolerance_m) and tolerance_m >= 0):
            raise ValueError(f"tolerance_m must be a finite number >= 0, got {tolerance_m!r}")
        region = shapely.union_all(_polygons(geojson, "geojson"))
        band = tolerance_m * _ARC_FACTOR
        inner = shapely.buffer(region, -band, quad_segs=_QUAD_SEGS)
        outer = shapely.buffer(region, band, quad_segs=_QUAD_SEGS)
        for geom in (region, inner, outer):
            shapely.prepare(geom)
        return cls(region=region, inner=inner, outer=outer, tolerance_m=float(tolerance_m))

    def classify(self, lat: float, lon: float) -> Placement:
        """One point, without numpy's per-call cost (a phone's usual single report); the same
        answer as `classify_many` (tested over random points)."""
        if not (
            isinstance(lat, int | float)
            and isinstance(lon, int | float)
            and math.isfinite(lat)
            and math.isfinite(lon)
            and abs(lat) <= 90.0
            and abs(lon) <= 180.0
        ):
            return self._classify_vector([lat], [lon])[0]  # raises with the vector path's message
        x, y = _project_one(float(lat), float(lon))
        if shapely.contains_xy(self.inner, x, y):
            return Placement.INSIDE
        if not shapely.intersects_xy(self.outer, x, y):
            return Placement.OUTSIDE
        return Placement.UNCERTAIN

    def classify_many(self, lats: Sequence[float], lons: Sequence[float]) -> list[Placement]:
        """Vectorised classify; raises ValueError if any coordinate is invalid."""
        if len(lats) == 1 and len(lons) == 1:
            return [self.classify(lats[0], lons[0])]
        return self._classify_vector(lats, lons)

    def _classify_vector(self, lats: Sequence[float], lons: Sequence[float]) -> list[Placement]:
        x, y = _project(*_checked(lats, lons))
        inside = shapely.contains_xy(self.inner, x, y)
        # intersects, not contains: a point exactly on the outer edge is still given the doubt.
        outside = ~shapely.intersects_xy(self.outer, x, y)
        codes = np.where(inside, 0, np.where(outside, 1, 2))
        table = np.array((Placement.INSIDE, Placement.OUTSIDE, Placement.UNCERTAIN), dtype=object)
        result: list[Placement] = table[codes].tolist()
        return result

    def distance_to_boundary_m(self, lat: float, lon: float) -> float:
        """Metres from the point to the nearest boundary edge, on whichever side it lies."""
        x, y = _project(*_checked([lat], [lon]))
        return float(shapely.distance(self.region.boundary, shapely.Point(x[0], y[0])))


def load_territory(
    path: str | os.PathLike[str] | None = None, tolerance_m: float = DEFAULT_TOLERANCE_M
) -> Territory:
    """path=None loads the packaged RU-MS.json via importlib.resources; a path lets operators point
    at a more accurate boundary (GeoJSON Feature, FeatureCollection, Polygon or MultiPolygon)."""
    if path is None:
        source = "packaged RU-MS.json"
        raw = resources.files("amina.rules.data").joinpath("RU-MS.json").read_bytes()
    else:
        source = os.fspath(path)
        raw = Path(path).read_bytes()
    try:
        geojson = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{source}: not valid JSON ({exc})") from exc
    return Territory.from_geojson(geojson, tolerance_m)
