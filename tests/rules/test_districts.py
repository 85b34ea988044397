"""Police districts (issue 11): reading the operator's GeoJSON, placing points, the scope."""

from __future__ import annotations

import math
from typing import Any

import pytest

from amina.rules import districts as rules
from amina.rules.districts import ScopeKind
from tests.districts.fixtures import IN_EAST, IN_WEST, OUTSIDE, SYNTHETIC_DISTRICTS, feature, square


def collection(*features: Any) -> dict[str, Any]:
    return {"type": "FeatureCollection", "features": list(features)}


def test_parse_reads_codes_names_and_sorts_by_code() -> None:
    parsed = rules.parse(SYNTHETIC_DISTRICTS)
    assert [(d.code, d.name) for d in parsed] == [
        ("east", "Synthetic East (test fixture)"),
        ("west", "Synthetic West (test fixture)"),
    ]
    assert parsed[0].geometry.area == pytest.approx(0.01)


def test_parse_takes_other_property_names_and_numeric_codes() -> None:
    gis = {
        "type": "Feature",
        "properties": {"OKATO": 45268000, "NAME": "Западный"},
        "geometry": {"type": "MultiPolygon", "coordinates": [square(37.5, 37.6)["coordinates"]]},
    }
    (district,) = rules.parse(collection(gis), code_property="OKATO", name_property="NAME")
    assert (district.code, district.name) == ("45268000", "Западный")


def test_a_missing_name_defaults_to_the_code() -> None:
    (district,) = rules.parse(collection(feature(" c1 ", square(0, 1))))
    assert (district.code, district.name) == ("c1", "c1")


def test_a_self_touching_outline_is_repaired_keeping_its_area() -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    (district,) = rules.parse(collection(feature("b", bowtie)))
    assert district.geometry.is_valid
    assert district.geometry.area == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"type": "Feature"}, "FeatureCollection"),
        ({"type": "FeatureCollection", "features": "x"}, "FeatureCollection"),
        (collection(), "no features"),
        (collection("not a feature"), "properties"),
        (collection({"type": "Feature", "geometry": square(0, 1)}), "properties"),
        (collection(feature(None, square(0, 1))), "'code'"),
        (collection(feature("x" * 65, square(0, 1))), "'code'"),
        (collection(feature("a", square(0, 1), name="n" * 201)), "'name'"),
        (collection(feature("a", square(0, 1)), feature("a", square(1, 2))), "used twice"),
        (collection(feature("a", None)), "Polygon or a MultiPolygon"),
        (collection(feature("a", {"type": "Point", "coordinates": [0, 0]})), "Polygon"),
        (
            collection(feature("a", {"type": "Polygon", "coordinates": [[[0, 0], [1]]]})),
            "unreadable",
        ),
        (collection(feature("a", {"type": "Polygon", "coordinates": []})), "WGS84"),
        (collection(feature("a", square(37.5, 37.6, 95, 96))), "WGS84"),
        (collection(feature("a", square(-181, -180))), "WGS84"),
        (collection(feature("a", square(180, 181))), "WGS84"),
        (collection(feature("a", square(0, 1, -91, -90))), "WGS84"),
        (
            collection(
                feature("a", {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]})
            ),
            "no area",
        ),
    ],
)
def test_unusable_geojson_is_refused_with_the_reason(document: Any, message: str) -> None:
    with pytest.raises(rules.DistrictDataError, match=message):
        rules.parse(document)


def test_locate_places_points_and_a_shared_edge_goes_to_the_smallest_code() -> None:
    index = rules.DistrictIndex(rules.parse(SYNTHETIC_DISTRICTS))
    assert index.codes == {"west", "east"}
    assert index.locate(*IN_WEST) == "west"
    assert index.locate(*IN_EAST) == "east"
    assert index.locate(*OUTSIDE) is None
    assert index.locate(55.75, 37.6) == "east"  # on both: "east" < "west", in every process
    assert index.locate(math.nan, 37.55) is None
    assert index.locate(55.75, math.inf) is None
    assert index.locate_many([IN_WEST, OUTSIDE]) == ["west", None]


def test_simplified_keeps_code_name_and_roughly_the_area() -> None:
    wiggly = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [0.5, 0.00001], [1, 0], [1, 1], [0, 1], [0, 0]]],
    }
    (district,) = rules.parse(collection(feature("w", wiggly, name="W")))
    simple = rules.simplified(district, 0.001)
    assert (simple.code, simple.name) == ("w", "W")
    assert len(simple.geometry.exterior.coords) < len(district.geometry.exterior.coords)
    assert simple.geometry.area == pytest.approx(1.0, rel=1e-4)


def test_only_police_are_scoped_and_only_when_districts_are_loaded() -> None:
    scope = rules.officer_scope
    assert (
        scope(is_police=False, districts_loaded=True, officer_district=None) is ScopeKind.EVERYONE
    )
    assert (
        scope(is_police=True, districts_loaded=False, officer_district=None) is ScopeKind.EVERYONE
    )
    assert scope(is_police=True, districts_loaded=True, officer_district=None) is ScopeKind.NOBODY
    assert scope(is_police=True, districts_loaded=True, officer_district="w") is ScopeKind.DISTRICT


def test_in_scope_by_residence_or_last_known_district() -> None:
    assert rules.in_scope(ScopeKind.EVERYONE, None, [])
    assert not rules.in_scope(ScopeKind.NOBODY, None, ["w"])
    assert rules.in_scope(ScopeKind.DISTRICT, "w", ["w", None])
    assert rules.in_scope(ScopeKind.DISTRICT, "w", [None, "w"])
    assert not rules.in_scope(ScopeKind.DISTRICT, "w", ["e", None])
    assert not rules.in_scope(ScopeKind.DISTRICT, "w", [])
