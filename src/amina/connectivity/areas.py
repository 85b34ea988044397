"""The named areas shipped with Amina (data/areas.geojson; see data/PROVENANCE.md)."""

from __future__ import annotations

import functools
import json
from importlib import resources
from typing import Any

from amina.errors import InvalidInput


@functools.cache
def named_areas() -> dict[str, dict[str, Any]]:
    """District id → {"name_ru", "name_en", "geometry"}."""
    path = resources.files("amina.connectivity") / "data" / "areas.geojson"
    collection = json.loads(path.read_text(encoding="utf-8"))
    return {
        feature["id"]: {**feature["properties"], "geometry": feature["geometry"]}
        for feature in collection["features"]
    }


def district_geometry(district: str) -> dict[str, Any]:
    area = named_areas().get(district)
    if area is None:
        known = ", ".join(sorted(named_areas()))
        raise InvalidInput(
            f"unknown district {district!r}; shipped areas: {known} (finer districts are not "
            "available from an openly licensed source here: give a GeoJSON polygon)",
            code="unknown_district",
        )
    geometry: dict[str, Any] = area["geometry"]
    return geometry
