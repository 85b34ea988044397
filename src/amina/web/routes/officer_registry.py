"""The officer API's registry of controlled persons: propose, approve or reject (never your
own proposal), remove with a reason. Every route checks the officer's role server-side."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import Field

from amina.cases import registry
from amina.officers import service as officers
from amina.rules.lifecycle import RegistryStatus
from amina.schemas import ApiModel, Instant, Prose, RequestModel
from amina.web.deps import NowDep, SessionDep
from amina.web.openapi import errors
from amina.web.routes.officer import OfficerDep

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


class EntryOut(ApiModel):
    id: uuid.UUID
    person_id: uuid.UUID
    case_id: uuid.UUID | None
    status: RegistryStatus
    basis: str
    proposed_by: uuid.UUID
    proposed_at: Instant
    decided_by: uuid.UUID | None
    decided_at: Instant | None
    removal_reason: str | None


class ProposalIn(RequestModel):
    person_id: uuid.UUID
    basis: Prose = Field(min_length=1, max_length=4000)
    case_id: uuid.UUID | None = None


class ReasonIn(RequestModel):
    reason: Prose = Field(min_length=1, max_length=2000)


@router.get(
    "/registry",
    response_model=list[EntryOut],
    summary="Registry entries",
    responses=errors(401, 403),
)
def list_registry(
    officer: OfficerDep, session: SessionDep, status: RegistryStatus | None = None
) -> list[EntryOut]:
    officers.require(officer, "registry.view")
    entries = registry.entries(session, status=status, officer=officer)
    return [EntryOut.model_validate(e) for e in entries]


@router.post(
    "/registry",
    status_code=201,
    response_model=EntryOut,
    summary="Propose an entry (a second officer must approve)",
    responses=errors(401, 403, 404, 409, 422),
)
def propose(body: ProposalIn, officer: OfficerDep, session: SessionDep, now: NowDep) -> EntryOut:
    entry = registry.propose(
        session,
        now=now,
        officer=officer,
        person_id=body.person_id,
        basis=body.basis,
        case_id=body.case_id,
    )
    return EntryOut.model_validate(entry)


@router.post(
    "/registry/{entry_id}/approve",
    response_model=EntryOut,
    summary="Approve a proposal (never your own)",
    responses=errors(401, 403, 404, 409),
)
def approve(entry_id: uuid.UUID, officer: OfficerDep, session: SessionDep, now: NowDep) -> EntryOut:
    entry = registry.decide(session, now=now, officer=officer, entry_id=entry_id, approve=True)
    return EntryOut.model_validate(entry)


@router.post(
    "/registry/{entry_id}/reject",
    response_model=EntryOut,
    summary="Reject a proposal",
    responses=errors(401, 403, 404, 409, 422),
)
def reject(
    entry_id: uuid.UUID, body: ReasonIn, officer: OfficerDep, session: SessionDep, now: NowDep
) -> EntryOut:
    entry = registry.decide(
        session, now=now, officer=officer, entry_id=entry_id, approve=False, reason=body.reason
    )
    return EntryOut.model_validate(entry)


@router.post(
    "/registry/{entry_id}/remove",
    response_model=EntryOut,
    summary="Remove from the registry",
    responses=errors(401, 403, 404, 409, 422),
)
def remove(
    entry_id: uuid.UUID, body: ReasonIn, officer: OfficerDep, session: SessionDep, now: NowDep
) -> EntryOut:
    entry = registry.remove(
        session, now=now, officer=officer, entry_id=entry_id, reason=body.reason
    )
    return EntryOut.model_validate(entry)
