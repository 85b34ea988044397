"""The officer API (for the console, and for other tools): sign-in, check-ins, cases, outages
and calendar corrections (the registry: `officer_registry.py`). Every route checks the
officer's role server-side."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Request
from pydantic import AwareDatetime, Field

from amina import decisions
from amina.audit.service import Actor
from amina.calendar import service as outages
from amina.calendar.models import OutageSource, OutageStatus
from amina.calendar.service import set_override
from amina.cases import service as cases
from amina.console.queues import reschedule_and_count
from amina.context import AppContext
from amina.monitoring.checkin import check_in
from amina.monitoring.schedule import last_sweep_at
from amina.officers import service as officers
from amina.officers.models import Officer, Role
from amina.people.service import person_by_card
from amina.policies import outage_bounds
from amina.rules.calendar import moscow_day_span
from amina.rules.lifecycle import CaseKind, CaseOutcome, CaseStatus
from amina.schemas import ApiModel, Instant, Prose, RequestModel, Text
from amina.web.access import require_route
from amina.web.deps import ClientIpDep, ContextDep, NowDep, SessionDep, bearer_token
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


def get_officer(request: Request, session: SessionDep, context: ContextDep, now: NowDep) -> Officer:
    """The signed-in officer, allowed by the role matrix to take this route's action."""
    officer = officers.authenticate(
        session, now=now, keys=context.keys, bearer=bearer_token(request)
    )
    require_route(request, officer)
    return officer


OfficerDep = Annotated[Officer, Depends(get_officer)]


class OfficerSignInIn(RequestModel):
    username: Text = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=200)
    # The second factor: required once the officer has enrolled one (at the console).
    totp_code: Text | None = Field(default=None, max_length=10)
    recovery_code: Text | None = Field(default=None, max_length=40)


class OfficerTokenOut(ApiModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105 - a scheme name, not a secret
    expires_in: int
    officer_id: uuid.UUID
    role: Role


@router.post(
    "/sessions",
    status_code=201,
    response_model=OfficerTokenOut,
    summary="Officer sign-in",
    responses=errors(401, 403, 422, 429),
)
def sign_in(
    body: OfficerSignInIn, session: SessionDep, context: ContextDep, now: NowDep, ip: ClientIpDep
) -> OfficerTokenOut:
    issued = officers.sign_in(
        session,
        now=now,
        keys=context.keys,
        settings=context.settings,
        username=body.username,
        password=body.password,
        client_ip=ip,
        totp_code=body.totp_code,
        recovery_code=body.recovery_code,
    )
    return OfficerTokenOut(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        officer_id=issued.officer_id,
        role=issued.role,
    )


class CheckinIn(RequestModel):
    card_number: Text = Field(min_length=1, max_length=40)
    place: Text | None = Field(default=None, max_length=200)


class CheckinOut(ApiModel):
    id: uuid.UUID
    person_id: uuid.UUID
    at: Instant
    place: str | None


@router.post(
    "/checkins",
    status_code=201,
    response_model=CheckinOut,
    summary="Record an in-person check-in (counts as monitoring)",
    responses=errors(401, 403, 404, 422),
)
def record_checkin(
    body: CheckinIn, officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> CheckinOut:
    officers.require(officer, "checkin.record")
    person = person_by_card(session, body.card_number)
    recorded = check_in(
        session,
        now=now,
        settings=context.settings,
        person=person,
        actor=Actor.officer(officer.id),
        place=body.place,
        officer_id=officer.id,
    )
    return CheckinOut.model_validate(recorded)


class CaseOut(ApiModel):
    id: uuid.UUID
    person_id: uuid.UUID
    registration_id: uuid.UUID | None
    patent_id: uuid.UUID | None = None
    kind: CaseKind
    status: CaseStatus
    opened_at: Instant
    window_start: Instant | None
    window_end: Instant | None
    evidence: dict[str, Any]
    outcome: CaseOutcome | None
    decision_reason: str | None


@router.get(
    "/cases",
    response_model=list[CaseOut],
    summary="Open cases, oldest first",
    responses=errors(401, 403),
)
def list_cases(
    officer: OfficerDep, session: SessionDep, kind: CaseKind | None = None
) -> list[CaseOut]:
    officers.require(officer, "case.view")
    return [
        CaseOut.model_validate(c) for c in cases.open_cases(session, kind=kind, officer=officer)
    ]


class DecisionIn(RequestModel):
    outcome: CaseOutcome
    reason: Prose = Field(min_length=1, max_length=2000)


@router.post(
    "/cases/{case_id}/decision",
    response_model=CaseOut,
    summary="Decide a case",
    responses=errors(401, 403, 404, 409, 422),
)
def decide_case(
    case_id: uuid.UUID,
    body: DecisionIn,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> CaseOut:
    closed = decisions.decide(
        session,
        now=now,
        settings=context.settings,
        officer=officer,
        case_id=case_id,
        outcome=body.outcome,
        reason=body.reason,
    )
    return CaseOut.model_validate(closed)


class OutageIn(RequestModel):
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    reason: Prose = Field(min_length=1, max_length=500)


class OutageOut(ApiModel):
    id: uuid.UUID
    starts_at: Instant
    ends_at: Instant
    reason: str
    source: OutageSource
    # "proposed": longer than AMINA_OUTAGE_MAX_DAYS; it counts once a second supervisor approves.
    status: OutageStatus


def _reschedule_later(
    context: AppContext, starts_at: Any, ends_at: Any, subject_type: str, subject_id: str
) -> None:
    reschedule_and_count(
        context.db,
        now=context.clock.now(),
        settings=context.settings,
        starts_at=starts_at,
        ends_at=ends_at,
        subject_type=subject_type,
        subject_id=subject_id,
    )


@router.post(
    "/outages",
    status_code=201,
    response_model=OutageOut,
    summary="Declare a service outage (deadlines it touches move; a long one needs approval)",
    responses=errors(401, 403, 422),
)
def declare_outage(
    body: OutageIn,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> OutageOut:
    officers.require(officer, "outage.declare")
    outage = outages.declare_outage(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        starts_at=body.starts_at,
        ends_at=body.ends_at,
        reason=body.reason,
        bounds=outage_bounds(context.settings),
        last_sweep_at=last_sweep_at(session),
        officer_id=officer.id,
    )
    if outage.status is OutageStatus.ACTIVE:
        background.add_task(
            _reschedule_later, context, body.starts_at, body.ends_at, "outage", str(outage.id)
        )
    return OutageOut.model_validate(outage)


@router.post(
    "/outages/{outage_id}/approve",
    response_model=OutageOut,
    summary="Approve a long outage (a second supervisor, never the one who declared it)",
    responses=errors(401, 403, 404, 409),
)
def approve_outage(
    outage_id: uuid.UUID,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> OutageOut:
    officers.require(officer, "outage.declare")
    outage = outages.approve_outage(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        officer_id=officer.id,
        outage_id=outage_id,
    )
    background.add_task(
        _reschedule_later, context, outage.starts_at, outage.ends_at, "outage", str(outage.id)
    )
    return OutageOut.model_validate(outage)


class OverrideIn(RequestModel):
    date: date
    is_working: bool
    reason: Prose = Field(min_length=1, max_length=500)


class OverrideOut(ApiModel):
    day: date
    is_working: bool
    reason: str


@router.post(
    "/calendar/overrides",
    status_code=201,
    response_model=OverrideOut,
    summary="Make a date a working day or a day off",
    responses=errors(401, 403, 422),
)
def override(
    body: OverrideIn,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> OverrideOut:
    officers.require(officer, "calendar.override")
    saved = set_override(
        session,
        now=now,
        actor=Actor.officer(officer.id),
        day=body.date,
        is_working=body.is_working,
        reason=body.reason,
        officer_id=officer.id,
    )
    start, end = moscow_day_span(body.date)
    background.add_task(
        _reschedule_later, context, start, end, "calendar_day", body.date.isoformat()
    )
    return OverrideOut.model_validate(saved)
