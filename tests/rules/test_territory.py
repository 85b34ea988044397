"""amina.rules.territory: known cities, border bands, tolerance, loading, data integrity."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import random
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import shapely

from amina.rules.territory import (
    DEFAULT_TOLERANCE_M,
    Placement,
    Territory,
    load_territory,
)

EXPECTED_SHA256 = "c5f3092fce931c04de6e90d7721fcd213a01e80e9cd7176afc6a7cb18540ec6f"
M_PER_DEG = 6_371_008.8 * math.pi / 180  # spherical, good to ~0.3 % over a few km

INSIDE_CITIES = {
    "Kremlin": (55.7520, 37.6175),
    "Zelenograd": (55.99, 37.19),
    "Troitsk (New Moscow)": (55.48, 37.30),
    "Kolomna": (55.10, 38.77),
    "Sergiev Posad": (56.31, 38.13),
}
OUTSIDE_CITIES = {
    "Tver": (56.86, 35.90),
    "Tula": (54.19, 37.62),
    "Kaluga": (54.51, 36.25),
    "Ryazan": (54.63, 39.74),
    "Vladimir": (56.13, 40.41),
}


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("amina.rules.data").joinpath("RU-MS.json").read_bytes()
    )
    return data


@pytest.fixture(scope="module")
def ring(raw: dict[str, Any]) -> list[tuple[float, float]]:
    """The packaged boundary's exterior ring as (lon, lat), without the closing repeat."""
    assert raw["geometry"]["type"] == "Polygon"
    assert len(raw["geometry"]["coordinates"]) == 1  # no holes: Moscow city is part of it
    return [(float(x), float(y)) for x, y in raw["geometry"]["coordinates"][0][:-1]]


@pytest.fixture(scope="module")
def territory() -> Territory:
    return load_territory()


def _offset(lat: float, lon: float, east_m: float, north_m: float) -> tuple[float, float]:
    return lat + north_m / M_PER_DEG, lon + east_m / (M_PER_DEG * math.cos(math.radians(lat)))


def _local_distance(ring: list[tuple[float, float]], lat: float, lon: float) -> float:
    """Independent check: distance to the ring in a flat projection local to the point."""
    k = math.cos(math.radians(lat))
    local = [((x - lon) * k * M_PER_DEG, (y - lat) * M_PER_DEG) for x, y in ring]
    return float(shapely.LinearRing(local).distance(shapely.Point(0.0, 0.0)))


def _border_probes(ring: list[tuple[float, float]]) -> list[tuple[float, float, float, float]]:
    """(lat, lon, east, north) for every 24th vertex, with the unit normal pointing inward."""
    n = len(ring)
    ccw = (
        sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1], strict=True))
        > 0
    )
    probes = []
    for i in range(0, n, 24):
        lon, lat = ring[i]
        (lon_a, lat_a), (lon_b, lat_b) = ring[i - 3], ring[(i + 3) % n]
        dx = (lon_b - lon_a) * math.cos(math.radians(lat))
        dy = lat_b - lat_a
        norm = math.hypot(dx, dy)
        sign = 1.0 if ccw else -1.0  # interior is left of travel for a CCW ring
        probes.append((lat, lon, -dy / norm * sign, dx / norm * sign))
    return probes


def test_packaged_data_checksum() -> None:
    data = resources.files("amina.rules.data").joinpath("RU-MS.json").read_bytes()
    assert hashlib.sha256(data).hexdigest() == EXPECTED_SHA256


def test_packaged_region_area_matches_official_figure(territory: Territory) -> None:
    # Moscow 2,561 km² + Moscow Oblast 44,329 km²: checks both coverage and projection scale.
    assert territory.region.area / 1e6 == pytest.approx(46_890, rel=0.01)
    assert territory.tolerance_m == DEFAULT_TOLERANCE_M


@pytest.mark.parametrize(("lat", "lon"), INSIDE_CITIES.values(), ids=INSIDE_CITIES.keys())
def test_known_inside(territory: Territory, lat: float, lon: float) -> None:
    assert territory.classify(lat, lon) is Placement.INSIDE


@pytest.mark.parametrize(("lat", "lon"), OUTSIDE_CITIES.values(), ids=OUTSIDE_CITIES.keys())
def test_known_outside(territory: Territory, lat: float, lon: float) -> None:
    assert territory.classify(lat, lon) is Placement.OUTSIDE


def test_far_away_and_antipode_are_outside(territory: Territory) -> None:
    assert territory.classify(-55.75, 37.62 - 180) is Placement.OUTSIDE
    assert territory.classify(0.0, 0.0) is Placement.OUTSIDE
    assert territory.distance_to_boundary_m(-55.75, 37.62 - 180) > 19_000_000


def test_border_band(territory: Territory, ring: list[tuple[float, float]]) -> None:
    probes = _border_probes(ring)
    assert len(probes) == 48
    clear = 0
    for lat, lon, east, north in probes:
        for step in (2_000, -2_000):
            assert territory.classify(*_offset(lat, lon, east * step, north * step)) == "uncertain"
        p_in = _offset(lat, lon, east * 10_000, north * 10_000)
        p_out = _offset(lat, lon, -east * 10_000, -north * 10_000)
        # A wiggly border can bring another stretch within 6 km; only judge clear-cut probes.
        if min(_local_distance(ring, *p_in), _local_distance(ring, *p_out)) < 7_000:
            continue
        clear += 1
        assert territory.classify(*p_in) is Placement.INSIDE
        assert territory.classify(*p_out) is Placement.OUTSIDE
    assert clear >= 16


def test_distance_to_boundary_agrees_with_local_check(
    territory: Territory, ring: list[tuple[float, float]]
) -> None:
    for lat, lon, east, north in _border_probes(ring):
        for step in (2_000, -2_000, 10_000):
            p = _offset(lat, lon, east * step, north * step)
            expected = _local_distance(ring, *p)
            assert territory.distance_to_boundary_m(*p) == pytest.approx(expected, rel=0.005)


def test_distance_along_meridian_is_metric() -> None:
    square = {
        "type": "Polygon",
        "coordinates": [[[37.5, 55.0], [37.74, 55.0], [37.74, 56.0], [37.5, 56.0], [37.5, 55.0]]],
    }
    t = Territory.from_geojson(square, tolerance_m=0)
    # 0.05° of latitude at 56°N on WGS84 is 5,567 m.
    assert t.distance_to_boundary_m(56.05, 37.62) == pytest.approx(5_567, rel=0.003)


def test_tolerance_is_honoured(ring: list[tuple[float, float]]) -> None:
    one_km = load_territory(tolerance_m=1_000)
    assert one_km.tolerance_m == 1_000
    polygon = shapely.Polygon(ring)
    judged = 0
    for lat, lon, east, north in _border_probes(ring):
        for step in (500, -500):
            assert one_km.classify(*_offset(lat, lon, east * step, north * step)) == "uncertain"
        for step in (2_000, -2_000):
            p = _offset(lat, lon, east * step, north * step)
            if _local_distance(ring, *p) < 1_200:
                continue
            judged += 1
            inside = polygon.contains(shapely.Point(p[1], p[0]))
            assert one_km.classify(*p) is (Placement.INSIDE if inside else Placement.OUTSIDE)
    assert judged >= 60


def _random_points(n: int, seed: int) -> tuple[list[float], list[float]]:
    rng = random.Random(seed)
    lats = [rng.uniform(53.8, 57.4) for _ in range(n)]
    lons = [rng.uniform(34.6, 40.8) for _ in range(n)]
    return lats, lons


def test_zero_tolerance_is_plain_point_in_polygon(ring: list[tuple[float, float]]) -> None:
    plain = load_territory(tolerance_m=0)
    lats, lons = _random_points(500, seed=7)
    polygon = shapely.Polygon(ring)
    expected = [
        Placement.INSIDE if hit else Placement.OUTSIDE
        for hit in shapely.contains_xy(polygon, lons, lats)
    ]
    assert plain.classify_many(lats, lons) == expected
    assert Placement.INSIDE in expected
    assert Placement.OUTSIDE in expected


def test_classify_many_agrees_with_classify(
    territory: Territory, ring: list[tuple[float, float]]
) -> None:
    """The one-point path (pure floats) and the vector path (numpy) agree, in the band too."""
    lats, lons = _random_points(400, seed=20261121)
    for lat, lon, east, north in _border_probes(ring)[:100]:
        for inward_m in (0.0, DEFAULT_TOLERANCE_M - 1, DEFAULT_TOLERANCE_M + 1):
            for side in (1, -1):  # both edges of the band, a metre either side of each
                a, o = _offset(lat, lon, east * inward_m * side, north * inward_m * side)
                lats.append(a)
                lons.append(o)
    many = territory.classify_many(lats, lons)
    assert many == [territory.classify(a, o) for a, o in zip(lats, lons, strict=True)]
    assert many == [territory.classify_many([a], [o])[0] for a, o in zip(lats, lons, strict=True)]
    assert set(many) == set(Placement)
    assert all(type(p) is Placement for p in many)


def test_classify_many_empty(territory: Territory) -> None:
    assert territory.classify_many([], []) == []


@pytest.mark.parametrize(
    ("lats", "lons", "match"),
    [
        ([55.0, 55.1], [37.0], "2 latitudes but 1 longitudes"),
        ([math.nan], [37.0], "index 0"),
        ([55.0, 91.0], [37.0, 37.0], "index 1"),
        ([55.0], [-180.5], "lon=-180.5"),
        ([55.0], [math.inf], "invalid coordinate"),
    ],
)
def test_invalid_coordinates_raise(
    territory: Territory, lats: list[float], lons: list[float], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        territory.classify_many(lats, lons)


def test_invalid_single_point_raises(territory: Territory) -> None:
    with pytest.raises(ValueError, match="invalid coordinate"):
        territory.classify(math.nan, 37.6)
    with pytest.raises(ValueError, match="invalid coordinate"):
        territory.distance_to_boundary_m(55.7, 200.0)


def _square(lon0: float, lat0: float, size: float) -> list[list[list[float]]]:
    x1, y1 = lon0 + size, lat0 + size
    return [[[lon0, lat0], [x1, lat0], [x1, y1], [lon0, y1], [lon0, lat0]]]


def test_load_custom_polygon_file(tmp_path: Path) -> None:
    path = tmp_path / "square.geojson"
    path.write_text(json.dumps({"type": "Polygon", "coordinates": _square(37.0, 55.0, 0.5)}))
    t = load_territory(path, tolerance_m=1_000)
    assert t.classify(55.25, 37.25) is Placement.INSIDE
    assert t.classify(55.005, 37.25) is Placement.UNCERTAIN  # ~550 m inside the southern edge
    assert t.classify(54.995, 37.25) is Placement.UNCERTAIN
    assert t.classify(54.95, 37.25) is Placement.OUTSIDE
    assert load_territory(str(path)).tolerance_m == DEFAULT_TOLERANCE_M


def test_feature_collection_is_unioned(tmp_path: Path) -> None:
    collection = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": c}}
            for c in (_square(37.0, 55.0, 0.5), _square(37.5, 55.0, 0.5))
        ],
    }
    path = tmp_path / "two.json"
    path.write_text(json.dumps(collection))
    t = load_territory(path, tolerance_m=5_000)
    # On the shared seam, 15 km from any outer edge: the seam must not count as a border.
    assert t.classify(55.25, 37.5) is Placement.INSIDE
    assert t.region.geom_type == "Polygon"


def test_multipolygon_with_hole() -> None:
    outer = [[36.0, 55.0], [38.0, 55.0], [38.0, 56.0], [36.0, 56.0], [36.0, 55.0]]
    hole = [[36.8, 55.3], [36.8, 55.7], [37.2, 55.7], [37.2, 55.3], [36.8, 55.3]]
    geom = {"type": "MultiPolygon", "coordinates": [[outer, hole], _square(39.0, 55.0, 0.2)[0:1]]}
    t = Territory.from_geojson(geom, tolerance_m=0)
    assert t.classify(55.5, 37.0) is Placement.OUTSIDE  # in the hole
    assert t.classify(55.5, 37.6) is Placement.INSIDE
    assert t.classify(55.1, 39.1) is Placement.INSIDE
    assert t.classify(55.1, 38.5) is Placement.OUTSIDE


def test_territory_is_frozen(territory: Territory) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        territory.tolerance_m = 1.0  # type: ignore[misc]
    assert "tolerance_m=6000.0" in repr(territory)


_SQ = _square(37.0, 55.0, 0.5)


@pytest.mark.parametrize(
    ("geojson", "match"),
    [
        ([1, 2], "expected a GeoJSON object, got list"),
        ({"type": "FeatureCollection", "features": []}, "has no features"),
        ({"type": "FeatureCollection"}, "has no features"),
        ({"type": "Feature", "geometry": None}, r"geojson\.geometry: expected a GeoJSON object"),
        ({"type": "Point", "coordinates": [37.0, 55.0]}, "got 'Point'"),
        ({"type": "MultiPolygon", "coordinates": []}, "got 'MultiPolygon'"),
        ({"type": "GeometryCollection", "geometries": []}, "got 'GeometryCollection'"),
        ({"coordinates": _SQ}, "got None"),
        ({"type": "Polygon", "coordinates": []}, "non-empty list of rings"),
        ({"type": "Polygon", "coordinates": "oops"}, "non-empty list of rings"),
        ({"type": "Polygon", "coordinates": [[[37, 55], [38, 55]]]}, "at least 4"),
        ({"type": "Polygon", "coordinates": [[{"lon": 1}] * 4]}, "not a list of"),
        ({"type": "Polygon", "coordinates": [[[37, 55], [38], [38, 56], [37, 55]]]}, "not a list"),
        ({"type": "Polygon", "coordinates": [[[37, 55], [38, 95], [38, 56], [37, 55]]]}, "lat=95"),
        (
            {
                "type": "Polygon",
                "coordinates": [[[37, 55], [38, 56], [38, 55], [37, 56], [37, 55]]],
            },
            r"invalid polygon.*Self-intersection",
        ),
        (
            {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": 3}]},
            r"features\[0\]\.geometry: expected a GeoJSON object, got int",
        ),
    ],
)
def test_bad_geojson_raises(geojson: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Territory.from_geojson(geojson)


@pytest.mark.parametrize("tolerance", [-1.0, math.nan, math.inf])
def test_bad_tolerance_raises(tolerance: float) -> None:
    with pytest.raises(ValueError, match="tolerance_m"):
        Territory.from_geojson({"type": "Polygon", "coordinates": _SQ}, tolerance_m=tolerance)


def test_bad_json_file_raises(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match=r"broken\.json: not valid JSON"):
        load_territory(path)
