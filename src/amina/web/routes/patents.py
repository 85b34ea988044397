"""The patent (api.md, "Added in wave 2", "Patents"): the person's own, and the officer API.

Officer routes check the role server-side (`officers.service.PERMISSIONS`): `patent.issue`
(MMC officer, supervisor) to issue and re-issue, `patent.view` (MMC officer, police officer,
supervisor) to read patents and flagged payments.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from amina.audit.service import Actor
from amina.districts.scope import ensure_visible
from amina.officers import service as officers
from amina.patents import repo
from amina.patents import service as patents
from amina.patents.schemas import (
    IssuedOut,
    IssueIn,
    MePatentOut,
    PatentOut,
    PaymentOut,
    ReissueIn,
)
from amina.web.deps import ContextDep, NowDep, PersonDep, SessionDep
from amina.web.openapi import errors
from amina.web.routes.officer import OfficerDep

router = APIRouter(tags=["patents"])


@router.get(
    "/api/v1/me/patent",
    response_model=MePatentOut,
    summary="My work patent; with ?months=N, what to pay and the payment QR",
    responses=errors(401, 404, 409, 422),
)
def my_patent(
    person: PersonDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    months: Annotated[int | None, Query(ge=1, le=12)] = None,
) -> MePatentOut:
    return patents.me_patent(session, person, now=now, settings=context.settings, months=months)


@router.post(
    "/api/v1/officer/patents",
    status_code=201,
    response_model=IssuedOut,
    summary="Record a patent issued by the MMC, with the months already paid",
    responses=errors(401, 403, 404, 409, 422),
)
def issue_patent(
    body: IssueIn, officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> IssuedOut:
    officers.require(officer, "patent.issue")
    patent = patents.issue(
        session,
        now=now,
        settings=context.settings,
        actor=Actor.officer(officer.id),
        person_id=body.person_id,
        series=body.series,
        number=body.number,
        issued_on=body.issued_on,
        months=body.months,
        inn=body.inn,
        region=body.region,
        profession=body.profession,
        employer=body.employer,
    )
    return IssuedOut(
        patent_id=patent.id, valid_through=patent.valid_through, lapses_at=patent.lapses_at
    )


@router.get(
    "/api/v1/officer/persons/{person_id}/patent",
    response_model=PatentOut,
    summary="A person's current patent, with its payments",
    responses=errors(401, 403, 404),
)
def person_patent(
    person_id: uuid.UUID, officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> PatentOut:
    officers.require(officer, "patent.view")
    ensure_visible(session, now=now, officer=officer, person_id=person_id)  # police districts
    patent = patents.current(session, person_id)
    return patents.view(session, patent, now=now, settings=context.settings)


@router.post(
    "/api/v1/officer/persons/{person_id}/patent/reissue",
    status_code=201,
    response_model=IssuedOut,
    summary="Re-issue the patent once, after its 12 months, with a new series and number",
    responses=errors(401, 403, 404, 409, 422),
)
def reissue_patent(
    person_id: uuid.UUID,
    body: ReissueIn,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> IssuedOut:
    officers.require(officer, "patent.issue")
    patent = patents.reissue(
        session,
        now=now,
        settings=context.settings,
        actor=Actor.officer(officer.id),
        person_id=person_id,
        series=body.series,
        number=body.number,
        months=body.months,
        issued_on=body.issued_on,
    )
    return IssuedOut(
        patent_id=patent.id, valid_through=patent.valid_through, lapses_at=patent.lapses_at
    )


@router.get(
    "/api/v1/officer/patent-payments/flagged",
    response_model=list[PaymentOut],
    summary="Payments that need an officer: unknown patent, remainder, after the lapse, …",
    responses=errors(401, 403),
)
def flagged_payments(officer: OfficerDep, session: SessionDep) -> list[PaymentOut]:
    officers.require(officer, "patent.view")
    return [PaymentOut.model_validate(p) for p in repo.flagged_payments(session)]
