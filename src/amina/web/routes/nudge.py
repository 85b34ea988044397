"""The evening nudge, on or off (the person's own choice; on by default)."""

from __future__ import annotations

from fastapi import APIRouter

from amina.nudge import service
from amina.schemas import ApiModel, RequestModel
from amina.web.deps import NowDep, PrincipalDep, ReadSessionDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=errors(401))


class NudgeIn(RequestModel):
    enabled: bool


class NudgeOut(ApiModel):
    enabled: bool


@router.get("/nudge", response_model=NudgeOut, summary="Whether the evening nudge is on")
def get_nudge(principal: PrincipalDep, session: ReadSessionDep) -> NudgeOut:
    return NudgeOut(enabled=service.is_enabled(session, principal.person_id))


@router.put(
    "/nudge",
    response_model=NudgeOut,
    summary="Turn the evening nudge on or off",
    responses=errors(422),
)
def put_nudge(body: NudgeIn, principal: PrincipalDep, session: SessionDep, now: NowDep) -> NudgeOut:
    enabled = service.set_enabled(
        session, now=now, person_id=principal.person_id, enabled=body.enabled
    )
    return NudgeOut(enabled=enabled)
