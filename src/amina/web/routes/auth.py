"""Sign in (api.md): challenges, sessions, refresh, sign-out."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime

from fastapi import APIRouter, BackgroundTasks, Response
from fastapi.concurrency import run_in_threadpool

from amina.auth import service, sessions
from amina.auth.schemas import ChallengeIn, ChallengeOut, RefreshIn, SessionIn, TokensOut
from amina.context import AppContext
from amina.notifications import catalog
from amina.web.deps import ClientIpDep, ContextDep, NowDep, PrincipalDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/auth", tags=["sign-in"])


def _send_code_later(context: AppContext, sms: service.OutgoingSms) -> None:
    """For a gateway that is a network call: after the response, in its own unit of work."""
    text = catalog.text("otp.sms", sms.language, {"code": sms.code}) or sms.code
    with context.db.unit_of_work() as session:
        context.sms.send(
            session,
            now=context.clock.now(),
            phone=sms.phone,
            text=text,
            idempotency_key=f"otp:{sms.challenge_id}",
        )


def _start(
    context: AppContext,
    body: ChallengeIn,
    ip: str,
    now: datetime,
    background: BackgroundTasks,
) -> service.StartedChallenge:
    """The challenge in a unit of work of its own, committed (or rolled back) on return: the
    answer-time floor is waited out afterwards, never while the write transaction (and, on
    SQLite, the one write lock) is held."""
    with context.db.unit_of_work() as session:
        started = service.start_challenge(
            session,
            now=now,
            settings=context.settings,
            keys=context.keys,
            request=body,
            client_ip=ip,
        )
        if started.sms is not None and context.sms.in_transaction:
            text = catalog.text("otp.sms", started.sms.language, {"code": started.sms.code})
            context.sms.send(
                session,
                now=now,
                phone=started.sms.phone,
                text=text or "",
                idempotency_key=f"otp:{started.challenge_id}",
            )
    if started.sms is not None and not context.sms.in_transaction:
        background.add_task(_send_code_later, context, started.sms)
    return started


@router.post(
    "/challenges",
    status_code=202,
    response_model=ChallengeOut,
    summary="Ask for a one-time code (card, or passport if the card is lost)",
    responses=errors(422, 429),
)
async def create_challenge(
    body: ChallengeIn,
    context: ContextDep,
    now: NowDep,
    ip: ClientIpDep,
    background: BackgroundTasks,
) -> ChallengeOut:
    started_at = time.monotonic()
    try:
        started = await run_in_threadpool(_start, context, body, ip, now, background)
    finally:
        # The same answer time for known and unknown identities (rules.md §2), refusals
        # included; the transaction is already over when this sleep starts.
        floor = context.settings.challenge_response_floor_s
        await asyncio.sleep(max(0.0, floor - (time.monotonic() - started_at)))
    return ChallengeOut(
        challenge_id=started.challenge_id,
        expires_at=started.expires_at,
        phone_hint=started.phone_hint,
    )


@router.post(
    "/sessions",
    status_code=201,
    response_model=TokensOut,
    summary="Sign in with the code and bind this device's Ed25519 key",
    responses=errors(401, 422, 429),
)
def create_session(
    body: SessionIn, session: SessionDep, context: ContextDep, now: NowDep
) -> TokensOut:
    issued = service.sign_in(
        session,
        now=now,
        settings=context.settings,
        keys=context.keys,
        challenge_id=body.challenge_id,
        code=body.code,
        device=body.device,
    )
    return TokensOut.model_validate(issued)


@router.post(
    "/refresh",
    response_model=TokensOut,
    summary="Swap a refresh token for a new pair (the old one stops working)",
    responses=errors(401, 422),
)
def refresh(body: RefreshIn, session: SessionDep, context: ContextDep, now: NowDep) -> TokensOut:
    issued = sessions.refresh(
        session,
        now=now,
        settings=context.settings,
        keys=context.keys,
        refresh_token=body.refresh_token,
    )
    return TokensOut.model_validate(issued)


@router.delete(
    "/sessions/current",
    status_code=204,
    summary="Sign out this device",
    responses=errors(401),
)
def sign_out(principal: PrincipalDep, session: SessionDep, now: NowDep) -> Response:
    sessions.sign_out(session, now=now, principal=principal)
    return Response(status_code=204)
