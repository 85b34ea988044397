"""The person's own record (api.md, "The person's own record")."""

from __future__ import annotations

import uuid
from datetime import date

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response
from pydantic import Field

from amina import enrolment
from amina.errors import Conflict
from amina.monitoring.presence import presence
from amina.notifications import service as notifications
from amina.people import service as people
from amina.profile.export import export
from amina.profile.schemas import MeDocument, RegistrationOut, ResidenceHistoryOut, ResidenceOut
from amina.profile.service import me_document
from amina.registration import proof, proofs, repo
from amina.registration import service as registration
from amina.registration.schemas import RegistrationIn, ResidenceIn
from amina.schemas import ApiModel, Instant, RequestModel, Text
from amina.web.deps import ContextDep, NowDep, PersonDep, PrincipalDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/me", tags=["me"], responses=errors(401))


@router.get("", response_model=MeDocument, summary="My record: status, registration, deadlines")
def get_me(person: PersonDep, session: SessionDep, context: ContextDep, now: NowDep) -> MeDocument:
    return me_document(session, person, now=now, settings=context.settings)


@router.post(
    "/registration",
    status_code=201,
    response_model=RegistrationOut,
    summary="Register at the MMC address: consent and the first location",
    responses=errors(403, 409, 422),
)
def register(
    body: RegistrationIn,
    person: PersonDep,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> RegistrationOut:
    created = enrolment.register(
        session,
        now=now,
        settings=context.settings,
        territory=context.territory,
        person=person,
        device_id=principal.device_id,
        consent=body.consent,
        location=body.location,
    )
    return RegistrationOut.model_validate(created)


@router.put(
    "/residence",
    response_model=ResidenceOut,
    summary="Declare or change the actual residence",
    responses=errors(409, 422),
)
def put_residence(
    body: ResidenceIn, person: PersonDep, session: SessionDep, context: ContextDep, now: NowDep
) -> ResidenceOut:
    declared = registration.declare_residence(
        session, now=now, settings=context.settings, person=person, declared=body
    )
    return ResidenceOut.model_validate(declared)


@router.get("/residence/history", response_model=ResidenceHistoryOut, summary="Past residences")
def residence_history(person: PersonDep, session: SessionDep) -> ResidenceHistoryOut:
    items = [ResidenceOut.model_validate(r) for r in repo.residence_history(session, person.id)]
    return ResidenceHistoryOut(items=items)


class NotificationOut(ApiModel):
    id: uuid.UUID
    kind: str
    title: str
    body: str
    created_at: Instant
    read_at: Instant | None


class InboxOut(ApiModel):
    items: list[NotificationOut]
    next: str | None


@router.get(
    "/notifications",
    response_model=InboxOut,
    summary="My notifications, newest first",
    responses=errors(422),
)
def list_notifications(
    person: PersonDep,
    session: SessionDep,
    after: Text | None = Query(default=None, max_length=200, description="The `next` cursor"),
) -> InboxOut:
    page = notifications.inbox(session, person_id=person.id, language=person.language, after=after)
    return InboxOut(items=[NotificationOut.model_validate(i) for i in page.items], next=page.next)


@router.post(
    "/notifications/{notification_id}/read",
    response_model=NotificationOut,
    summary="Mark a notification read",
    responses=errors(404),
)
def read_notification(
    notification_id: uuid.UUID, person: PersonDep, session: SessionDep, now: NowDep
) -> NotificationOut:
    read = notifications.mark_read(
        session, now=now, person_id=person.id, notification_id=notification_id
    )
    return NotificationOut.model_validate(notifications.as_item(read, person.language))


@router.get("/export", summary="Everything Amina holds about me", response_class=JSONResponse)
def get_export(
    person: PersonDep, session: SessionDep, context: ContextDep, now: NowDep
) -> JSONResponse:
    document = export(session, person, now=now, settings=context.settings)
    return JSONResponse(
        document,
        headers={"Content-Disposition": 'attachment; filename="amina-export.json"'},
    )


class ProofOut(ApiModel):
    token: str
    qr_svg: str
    verify_url: str
    status: str
    holder: str
    document: str
    registered_at: Instant
    checked_at: Instant


@router.get(
    "/proof", response_model=ProofOut, summary="Proof of registration (QR)", responses=errors(409)
)
def get_proof(person: PersonDep, session: SessionDep, context: ContextDep, now: NowDep) -> ProofOut:
    issued = proofs.current(session, keys=context.keys, person=person, now=now)
    url = f"{context.settings.public_base_url.rstrip('/')}/verify/{issued.token}"
    checked = proofs.check(session, keys=context.keys, token=issued.token, now=now)
    return ProofOut(
        token=issued.token,
        qr_svg=proof.qr_svg(url),
        verify_url=url,
        status=issued.registration.status.value,
        holder=f"{person.surname} {person.given_names}",
        document=checked.document if checked else "",
        registered_at=issued.registration.registered_at,
        checked_at=now,
    )


@router.delete(
    "/proof",
    status_code=204,
    summary="Withdraw my proof of registration (the next one has a new token)",
    responses=errors(409),
)
def delete_proof(person: PersonDep, session: SessionDep, now: NowDep) -> Response:
    if not proofs.revoke(session, person=person, now=now):
        raise Conflict("there is no proof to withdraw", code="no_proof")
    return Response(status_code=204)


class PreferencesIn(RequestModel):
    language: Text = Field(min_length=2, max_length=5)


class PreferencesOut(ApiModel):
    language: str


@router.put(
    "/preferences", response_model=PreferencesOut, summary="My language", responses=errors(422)
)
def put_preferences(
    body: PreferencesIn, person: PersonDep, session: SessionDep, now: NowDep
) -> PreferencesOut:
    people.set_language(session, person=person, language=body.language, now=now)
    return PreferencesOut(language=person.language)


class DayOut(ApiModel):
    date: date
    had_report: bool
    inside_territory: bool | None
    reports: int


class PresenceOut(ApiModel):
    days: list[DayOut]


@router.get(
    "/presence",
    response_model=PresenceOut,
    summary="Days with and without reports",
    responses=errors(422),
)
def get_presence(
    person: PersonDep,
    session: SessionDep,
    first: date = Query(alias="from"),
    last: date = Query(alias="to"),
) -> PresenceOut:
    days = presence(session, person_id=person.id, first=first, last=last)
    return PresenceOut(days=[DayOut.model_validate(d) for d in days])
