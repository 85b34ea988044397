"""Integrations (api.md): events from other agencies' systems, with a service key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from amina.integrations import service
from amina.integrations.models import ServiceKey
from amina.integrations.schemas import EventAccepted, EventIn
from amina.patents import payments as patent_payments
from amina.patents.schemas import PatentPaymentIn, PaymentAccepted
from amina.web.deps import ContextDep, NowDep, SessionDep, bearer_token
from amina.web.openapi import errors

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
    body: EventIn | PatentPaymentIn,
    key: ServiceKeyDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> EventAccepted | PaymentAccepted:
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
