"""Connectivity outages by area (rules.md §9): officers declare them; deadlines move."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, BackgroundTasks

from amina.audit.service import Actor
from amina.connectivity import service
from amina.connectivity.areas import named_areas
from amina.connectivity.models import DeclaredBy
from amina.connectivity.schemas import AreaOutageIn, AreaOutageOut
from amina.context import AppContext
from amina.monitoring.reschedule import reschedule_between
from amina.officers import service as officers
from amina.schemas import ApiModel
from amina.web.deps import ContextDep, NowDep, SessionDep
from amina.web.openapi import errors
from amina.web.routes.officer import OfficerDep

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


def reschedule_later(context: AppContext, starts_at: datetime, ends_at: datetime) -> None:
    """After the commit: move the deadlines of everyone the window can touch."""
    reschedule_between(
        context.db,
        now=context.clock.now(),
        settings=context.settings,
        starts_at=starts_at,
        ends_at=ends_at,
    )


@router.post(
    "/connectivity-outages",
    status_code=201,
    response_model=AreaOutageOut,
    summary="Declare a mobile-internet shutdown in an area (its people's deadlines move)",
    responses=errors(401, 403, 409, 422),
)
def declare_area_outage(
    body: AreaOutageIn,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> AreaOutageOut:
    officers.require(officer, "outage.declare")
    declared = service.declare(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        declared_by=DeclaredBy.OFFICER,
        source="officer",
        source_ref=f"officer:{officer.id}:{now.isoformat()}",
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        area=body.area,
        district=body.district,
        officer_id=officer.id,
    )
    background.add_task(reschedule_later, context, body.starts_at, body.ends_at)
    return AreaOutageOut.model_validate(declared.outage)


class DistrictOut(ApiModel):
    id: str
    name_ru: str
    name_en: str


@router.get(
    "/connectivity-outages/districts",
    response_model=list[DistrictOut],
    summary="The named areas shipped with Amina (see their provenance)",
    responses=errors(401),
)
def districts(officer: OfficerDep) -> list[DistrictOut]:
    return [
        DistrictOut(id=key, name_ru=area["name_ru"], name_en=area["name_en"])
        for key, area in sorted(named_areas().items())
    ]
