"""Police districts in the officer API (issue 11): the loaded districts, and an admin setting
or clearing an officer's district (a code that is not loaded is a 422)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import Field

from amina.audit.service import Actor
from amina.districts import service as districts
from amina.errors import NotFound
from amina.officers.models import Officer
from amina.schemas import ApiModel, RequestModel, Text
from amina.web.deps import NowDep, SessionDep
from amina.web.openapi import errors
from amina.web.routes.officer import OfficerDep

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


class DistrictOut(ApiModel):
    code: str
    name: str


class OfficerDistrictIn(RequestModel):
    # null clears it: with districts loaded, a police officer without one sees nobody.
    district: Text | None = Field(max_length=64)


class OfficerDistrictOut(ApiModel):
    officer_id: uuid.UUID
    username: str
    district: str | None


@router.get(
    "/districts",
    response_model=list[DistrictOut],
    summary="The loaded police districts",
    responses=errors(401, 403),
)
def list_districts(officer: OfficerDep, session: SessionDep) -> list[DistrictOut]:
    return [DistrictOut(code=d.code, name=d.name) for d in districts.listed(session)]


@router.put(
    "/officers/{officer_id}/district",
    response_model=OfficerDistrictOut,
    summary="Set or clear an officer's police district (admins)",
    responses=errors(401, 403, 404, 422),
)
def set_district(
    officer_id: uuid.UUID,
    body: OfficerDistrictIn,
    officer: OfficerDep,
    session: SessionDep,
    now: NowDep,
) -> OfficerDistrictOut:
    target = session.get(Officer, officer_id)
    if target is None:
        raise NotFound("no such officer", code="officer_not_found")
    districts.set_officer_district(
        session, now=now, actor=Actor.officer(officer.id), officer=target, district=body.district
    )
    return OfficerDistrictOut(
        officer_id=target.id, username=target.username, district=target.district
    )
