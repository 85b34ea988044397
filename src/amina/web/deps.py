"""Request-scoped dependencies: the application context, "now", and the unit of work."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Annotated

import anyio
import anyio.to_thread
from fastapi import Depends, Query, Request
from sqlalchemy.orm import Session

from amina.auth.sessions import Principal, authenticate
from amina.config import Settings
from amina.context import AppContext
from amina.errors import NotAuthenticated
from amina.people.models import Person
from amina.web.proxies import client_address, parse_networks


def get_context(request: Request) -> AppContext:
    context: AppContext = request.app.state.context
    return context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_settings(context: ContextDep) -> Settings:
    return context.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


def get_now(request: Request, context: ContextDep) -> datetime:
    """One reading of the clock per request; everything below takes it as an argument."""
    if not hasattr(request.state, "now"):
        request.state.now = context.clock.now()
    now: datetime = request.state.now
    return now


NowDep = Annotated[datetime, Depends(get_now)]


# Thread-pool tokens kept free of write units, so that a unit which holds the write lock can
# always get a thread for its next step.
SPARE_THREADS = 8


async def write_unit_slot(request: Request) -> AsyncIterator[None]:
    """Waits, without holding a thread, until fewer write units are open than the thread pool
    has threads to spare.

    A request's unit of work runs across several thread-pool calls (the dependencies, the
    endpoint, the commit). On SQLite, writers queue on the write lock inside those threads; had
    every thread of the pool been taken by a queued writer, the writer holding the lock could
    never get a thread to finish, and the service would stall (seen with 50 parallel bookings).
    """
    limiter = getattr(request.app.state, "write_units", None)
    if limiter is None:
        threads = anyio.to_thread.current_default_thread_limiter().total_tokens
        limiter = anyio.CapacityLimiter(max(1, int(threads) - SPARE_THREADS))
        request.app.state.write_units = limiter
    async with limiter:
        yield


WriteUnitSlotDep = Annotated[None, Depends(write_unit_slot, scope="function")]


def get_session(context: ContextDep, _slot: WriteUnitSlotDep) -> Iterator[Session]:
    """The unit of work around a request: commit on success, roll back on error.

    It must be `scope="function"`: FastAPI then runs the commit *before* the response is sent,
    so a client never sees a success for something that is not yet durably stored. (The default
    request scope runs it after sending.)
    """
    with context.db.unit_of_work() as session:
        yield session


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def get_read_session(context: ContextDep) -> Iterator[Session]:
    with context.db.unit_of_work(readonly=True) as session:
        yield session


ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


def client_ip(request: Request, settings: SettingsDep) -> str:
    """The socket peer, or (behind a trusted proxy) the client it forwarded for."""
    peer = request.client.host if request.client else "unknown"
    if not settings.trusted_proxies:
        return peer
    networks = parse_networks(settings.trusted_proxies)
    return client_address(peer, request.headers.getlist("x-forwarded-for"), networks)


ClientIpDep = Annotated[str, Depends(client_ip)]


def bearer_token(request: Request) -> str:
    return bearer_of(request.headers.get("authorization", ""))


def bearer_of(header: str) -> str:
    """The token of an `Authorization: Bearer <token>` header value."""
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise NotAuthenticated(
            "sign in first: Authorization: Bearer <token>", code="not_authenticated"
        )
    return token.strip()


def get_principal(
    request: Request, session: SessionDep, context: ContextDep, now: NowDep
) -> Principal:
    return authenticate(session, now=now, keys=context.keys, bearer=bearer_token(request))


PrincipalDep = Annotated[Principal, Depends(get_principal)]


def get_person(principal: PrincipalDep, session: SessionDep) -> Person:
    person = session.get(Person, principal.person_id)
    if person is None:  # pragma: no cover - a session always belongs to a recorded person
        raise NotAuthenticated("the access token is not valid", code="invalid_token")
    return person


PersonDep = Annotated[Person, Depends(get_person)]


async def raw_body(request: Request) -> bytes:
    """The exact request bytes (for signatures and hand-parsed bodies); FastAPI caches them."""
    return await request.body()


RawBodyDep = Annotated[bytes, Depends(raw_body)]


# An audit sequence number to page back from (0: the newest). Bounded to what a BIGINT holds,
# so a huge number is a 422, not an overflow in the driver.
AuditCursor = Annotated[int, Query(ge=0, le=2**63 - 1)]
