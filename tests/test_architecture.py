"""The import contracts (pyproject.toml, checked by lint-imports) cover every module we have."""

from __future__ import annotations

import pkgutil
import tomllib
from pathlib import Path
from typing import cast

import amina

ROOT = Path(__file__).resolve().parents[1]


def contracts() -> list[dict[str, object]]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    found: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return found


def test_rules_are_forbidden_every_other_module() -> None:
    top_level = {f"amina.{m.name}" for m in pkgutil.iter_modules(amina.__path__)} - {"amina.rules"}
    rules = next(c for c in contracts() if c["source_modules"] == ["amina.rules"])
    assert top_level == set(rules["forbidden_modules"])  # type: ignore[arg-type]


def test_every_feature_package_is_kept_from_the_edges() -> None:
    edges = {"amina.web", "amina.cli", "amina.rules", "amina.migrations"}
    packages = {f"amina.{m.name}" for m in pkgutil.iter_modules(amina.__path__) if m.ispkg}
    services = next(c for c in contracts() if c["forbidden_modules"] == ["amina.web", "amina.cli"])
    assert packages - edges <= set(services["source_modules"])  # type: ignore[arg-type]


def test_features_are_layered_and_kept_from_the_use_cases_on_top() -> None:
    layers = next(c for c in contracts() if c["type"] == "layers")
    top, *features = cast(list[str], layers["layers"])
    assert features == ["amina.monitoring", "amina.cases", "amina.registration"]
    use_cases = {name.strip() for name in top.split("|")}
    kept_from = next(
        c
        for c in contracts()
        if c["type"] == "forbidden"
        and "amina.monitoring" in cast(list[str], c["source_modules"])
        and "amina.arrival" in cast(list[str], c["forbidden_modules"])
    )
    assert use_cases == set(cast(list[str], kept_from["forbidden_modules"]))
    # Every feature package is kept from them; only the edges (and the worker) may call them.
    edges = {"amina.web", "amina.cli", "amina.rules", "amina.migrations", "amina.jobs"}
    packages = {f"amina.{m.name}" for m in pkgutil.iter_modules(amina.__path__) if m.ispkg}
    assert packages - edges <= set(cast(list[str], kept_from["source_modules"]))
