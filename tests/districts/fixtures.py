"""SYNTHETIC TEST FIXTURE: two made-up square "districts" over central Moscow.

These are not real boundaries of anything; they exist only so tests can place points. West is
37.50–37.60°E, east is 37.60–37.70°E (they share the 37.60 meridian), both 55.70–55.80°N.
"""

from __future__ import annotations

from typing import Any


def square(lon0: float, lon1: float, lat0: float = 55.7, lat1: float = 55.8) -> dict[str, Any]:
    ring = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: Any, geometry: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, **extra}, "geometry": geometry}


SYNTHETIC_DISTRICTS: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        feature("west", square(37.5, 37.6), name="Synthetic West (test fixture)"),
        feature("east", square(37.6, 37.7), name="Synthetic East (test fixture)"),
    ],
}
IN_WEST = (55.75, 37.55)  # (lat, lon)
IN_EAST = (55.75, 37.65)
OUTSIDE = (55.75, 37.9)
