"""`amina outage add --area FILE.geojson | --district NAME`: a connectivity outage (§9)."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import typer

from amina.cli.common import app_context, emit, operator, stdout
from amina.connectivity import service
from amina.connectivity.models import DeclaredBy
from amina.monitoring.reschedule import reschedule_between


def read_area(path: Path) -> dict[str, Any]:
    """A GeoJSON file: a geometry, a Feature, or a FeatureCollection of one feature."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError) as error:
        raise typer.BadParameter(f"cannot read GeoJSON: {error}", param_hint="--area") from None
    if isinstance(document, dict) and document.get("type") == "FeatureCollection":
        features = document.get("features") or []
        if len(features) != 1:
            raise typer.BadParameter("give one feature", param_hint="--area")
        document = features[0]
    if isinstance(document, dict) and document.get("type") == "Feature":
        document = document.get("geometry")
    if not isinstance(document, dict):
        raise typer.BadParameter("not a GeoJSON geometry", param_hint="--area")
    return document


def declare_area_outage(
    starts_at: datetime,
    ends_at: datetime,
    reason: str,
    area: Path | None,
    district: str | None,
    as_json: bool,
) -> None:
    geometry = read_area(area) if area is not None else None
    with app_context() as context:
        now = context.clock.now()
        with context.db.unit_of_work() as session:
            declared = service.declare(
                session,
                now=now,
                actor=operator(),
                declared_by=DeclaredBy.OPERATOR,
                source="cli",
                source_ref=f"cli:{uuid.uuid4()}",
                starts_at=starts_at,
                ends_at=ends_at,
                reason=reason,
                area=geometry,
                district=district,
            )
            outage_id = declared.outage.id
        moved = reschedule_between(
            context.db, now=now, settings=context.settings, starts_at=starts_at, ends_at=ends_at
        )
    emit(
        {"outage_id": str(outage_id), "kind": "connectivity", "rescheduled": moved},
        as_json,
        lambda: stdout.print(f"Connectivity outage recorded; {moved} deadlines moved."),
    )
