"""Integrations (api.md): events from other agencies' systems, with a service key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, BackgroundTasks, Depends, Request

from amina.audit.service import Actor
from amina.connectivity import service as connectivity
from amina.connectivity.models import DeclaredBy
from amina.connectivity.schemas import ConnectivityOutageEventIn
from amina.integrations import service
from amina.integrations.models import EventOutcome, ServiceKey
from amina.integrations.schemas import EventAccepted, EventIn
from amina.patents import payments as patent_payments
from amina.patents.schemas import PatentPaymentIn, PaymentAccepted
from amina.web.deps import ContextDep, NowDep, SessionDep, bearer_token
from amina.web.openapi import errors
from amina.web.routes.connectivity import reschedule_later

router = APIRouter(prefix="/api/v1/integrations", tags=["integrations"])


def get_service_key(request: Request, session: SessionDep, now: NowDep) -> ServiceKey:
    return service.authenticate(session, now=now, bearer=bearer_token(request))


ServiceKeyDep = Annotated[ServiceKey, Depends(get_service_key)]


@router.post(
    "/events",
    status_code=202,
    response_model=EventAccepted | PaymentAccepted,
    summary="An event from another agency (idempotent by source and source_ref)",
    responses=errors(401, 409, 422),
)
def post_event(
    body: ConnectivityOutageEventIn | EventIn | PatentPaymentIn,
    key: ServiceKeyDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> EventAccepted | PaymentAccepted:
    if isinstance(body, ConnectivityOutageEventIn):
        declared = connectivity.declare(
            session,
            now=now,
            actor=Actor("service", key.name),
            declared_by=DeclaredBy.INTEGRATION,
            source=body.source,
            source_ref=body.source_ref,
            starts_at=body.starts_at,
            ends_at=body.ends_at,
            reason=body.reason,
            area=body.area,
        )
        if not declared.duplicate:
            background.add_task(reschedule_later, context, body.starts_at, body.ends_at)
        return EventAccepted(
            id=declared.outage.id, outcome=EventOutcome.RECORDED, duplicate=declared.duplicate
        )
    if isinstance(body, PatentPaymentIn):
        paid = patent_payments.receive(
            session, now=now, settings=context.settings, source_name=key.name, event=body
        )
        return PaymentAccepted(
            id=paid.payment.id,
            outcome="flagged" if paid.payment.needs_review else "credited",
            flags=paid.payment.flags,
            months_credited=paid.payment.months_credited,
            duplicate=paid.duplicate,
        )
    received = service.receive(session, now=now, settings=context.settings, key=key, event=body)
    return EventAccepted(
        id=received.event.id, outcome=received.event.outcome, duplicate=received.duplicate
    )
