"""The officer API's reads (issue 11): what the console shows, under the same role matrix and
the same read audit. A person's data need an opening (POST …/access with a reason); each read
of an opening is audited again. Also the person's own "who looked at my data"."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Header
from pydantic import Field
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from amina.audit.models import AuditEvent
from amina.console import dashboards, queues, reads
from amina.console import person as person_page
from amina.console import timeline as views
from amina.console.reads import ReasonCategory
from amina.console.search import Query, SearchKind, search
from amina.errors import InvalidInput
from amina.officers.models import Officer, Role
from amina.rules.calendar import moscow_date
from amina.schemas import ApiModel, Instant, Prose, RequestModel, Text
from amina.web.deps import AuditCursor, ContextDep, NowDep, PersonDep, SessionDep
from amina.web.openapi import errors
from amina.web.routes.officer import CaseOut, OfficerDep

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])
me_router = APIRouter(prefix="/api/v1/me", tags=["me"])
OPENING_HEADER = "Amina-Opening"
HIDDEN = frozenset({"public_key", "totp_secret"})


class SearchIn(RequestModel):
    kind: SearchKind
    value: Text = Field(min_length=1, max_length=100)
    citizenship: Text = Field(default="", max_length=2)
    birth_date: date | None = None


class HitOut(ApiModel):
    person_id: uuid.UUID
    surname: str
    given_initial: str
    birth_year: int
    citizenship: str
    card: str | None
    registration: str | None


@router.post(
    "/search",
    response_model=list[HitOut],
    summary="Find a person (masked results)",
    responses=errors(401, 403, 422),
)
def api_search(
    body: SearchIn, officer: OfficerDep, session: SessionDep, now: NowDep
) -> list[HitOut]:
    hits = search(
        session,
        now=now,
        officer=officer,
        query=Query(body.kind, body.value, body.citizenship, body.birth_date),
    )
    return [HitOut.model_validate(h, from_attributes=True) for h in hits]


class AccessIn(RequestModel):
    category: ReasonCategory
    reason: Prose = Field(min_length=1, max_length=2000)


class AccessOut(ApiModel):
    opening: str
    expires_in: int


@router.post(
    "/people/{person_id}/access",
    status_code=201,
    response_model=AccessOut,
    summary="Open a person's data with a reason (audited)",
    responses=errors(401, 403, 422),
)
def api_open(
    person_id: uuid.UUID,
    body: AccessIn,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> AccessOut:
    reads.audited(
        session,
        now=now,
        officer=officer,
        person_id=person_id,
        view="open",
        category=body.category,
        reason=body.reason,
        opening=True,
    )
    token = reads.opening_token(
        context.keys,
        session_id=officer.id,
        person_id=person_id,
        category=body.category,
        until=now + reads.OPENING_TTL,
    )
    return AccessOut(opening=token, expires_in=int(reads.OPENING_TTL.total_seconds()))


def _grant(
    view: str,
    person_id: uuid.UUID,
    opening: str | None,
    officer: Officer,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> reads.Grant:
    category = reads.read_opening(
        context.keys, opening, session_id=officer.id, person_id=person_id, now=now
    )
    return reads.audited(
        session,
        now=now,
        officer=officer,
        person_id=person_id,
        view=view,
        category=category,
        reason="",
    )


def _plain(value: Any) -> Any:
    if hasattr(value, "__table__"):
        return {
            attr.key: _plain(getattr(value, attr.key))
            for attr in sa_inspect(value).mapper.column_attrs
            if attr.key not in HIDDEN and not attr.key.endswith("_hash")
        }
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if hasattr(value, "__dataclass_fields__"):
        return {k: _plain(getattr(value, k)) for k in value.__dataclass_fields__}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value.value if hasattr(value, "value") else value


@router.get(
    "/people/{person_id}",
    summary="A person's page (needs an opening)",
    responses=errors(401, 403, 404),
)
def api_person(
    person_id: uuid.UUID,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    opening: str | None = Header(default=None, alias=OPENING_HEADER),
) -> dict[str, Any]:
    grant = _grant("person", person_id, opening, officer, session, context, now)
    page = person_page.page(session, grant, now=now, settings=context.settings)
    data: dict[str, Any] = _plain(page)
    data["notifications"] = [
        {"notification": _plain(n), "deliveries": _plain(d)} for n, d in page.notifications
    ]
    return data


@router.get(
    "/people/{person_id}/timeline",
    summary="A person's timeline (needs an opening)",
    responses=errors(401, 403),
)
def api_timeline(
    person_id: uuid.UUID,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    opening: str | None = Header(default=None, alias=OPENING_HEADER),
    types: str = "",
) -> list[dict[str, Any]]:
    grant = _grant("timeline", person_id, opening, officer, session, context, now)
    chosen = {t for t in types.split(",") if t in views.TYPES} or None
    return [_plain(e) for e in views.timeline(session, grant, now=now, types=chosen, fold=False)]


@router.get(
    "/people/{person_id}/map",
    summary="The last 30 days' points (needs an opening)",
    responses=errors(401, 403),
)
def api_map(
    person_id: uuid.UUID,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    opening: str | None = Header(default=None, alias=OPENING_HEADER),
) -> list[dict[str, Any]]:
    grant = _grant("map", person_id, opening, officer, session, context, now)
    return views.points(session, grant, now=now)


@router.get(
    "/people/{person_id}/presence",
    summary="A presence month (needs an opening)",
    responses=errors(401, 403, 422),
)
def api_presence(
    person_id: uuid.UUID,
    officer: OfficerDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    opening: str | None = Header(default=None, alias=OPENING_HEADER),
    month: str | None = None,
) -> list[list[dict[str, Any]]]:
    grant = _grant("presence", person_id, opening, officer, session, context, now)
    try:
        first = date.fromisoformat(f"{month}-01") if month else moscow_date(now).replace(day=1)
    except ValueError:
        raise InvalidInput("a month is YYYY-MM", code="invalid_month") from None
    weeks = views.presence_month(session, grant, settings=context.settings, month=first)
    return [[_plain(d) for d in week] for week in weeks]


@router.get("/queues/due-soon", summary="Nearest to deregistration", responses=errors(401, 403))
def api_due(
    officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> list[dict[str, Any]]:
    return [
        _plain(d)
        for d in queues.due_soon(session, now=now, settings=context.settings, officer=officer)
    ]


class ReminderOut(ApiModel):
    notification_id: uuid.UUID


@router.post(
    "/people/{person_id}/reminders",
    status_code=201,
    response_model=ReminderOut,
    summary="Send a reminder by hand (audited, rate-limited)",
    responses=errors(401, 403, 409, 429),
)
def api_reminder(
    person_id: uuid.UUID, officer: OfficerDep, session: SessionDep, context: ContextDep, now: NowDep
) -> ReminderOut:
    created = queues.send_reminder(
        session, now=now, settings=context.settings, officer=officer, person_id=person_id
    )
    return ReminderOut(notification_id=created)


@router.post(
    "/cases/{case_id}/claim",
    response_model=CaseOut,
    summary="Claim a case",
    responses=errors(401, 403, 404, 409),
)
def api_claim(case_id: uuid.UUID, officer: OfficerDep, session: SessionDep, now: NowDep) -> CaseOut:
    return CaseOut.model_validate(queues.claim(session, now=now, officer=officer, case_id=case_id))


class HandOffIn(RequestModel):
    case_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)
    to: uuid.UUID


class HandOffOut(ApiModel):
    moved: int


@router.post(
    "/cases/handoff",
    response_model=HandOffOut,
    summary="Hand cases to an officer",
    responses=errors(401, 403, 422),
)
def api_handoff(
    body: HandOffIn, officer: OfficerDep, session: SessionDep, now: NowDep
) -> HandOffOut:
    moved = queues.hand_off(session, now=now, officer=officer, case_ids=body.case_ids, to=body.to)
    return HandOffOut(moved=moved)


@router.get(
    "/outages",
    summary="Outages and overrides, with the deadlines each moved",
    responses=errors(401, 403),
)
def api_outages(officer: OfficerDep, session: SessionDep) -> list[dict[str, Any]]:
    return [_plain(f) for f in queues.calendar_facts(session)]


@router.get("/dashboards/{name}", summary="One dashboard's series", responses=errors(401, 403, 404))
def api_dashboard(
    name: str, officer: OfficerDep, session: SessionDep, now: NowDep
) -> dict[str, Any]:
    result: dict[str, Any] = _plain(dashboards.chart(session, name, today=moscow_date(now)))
    return result


@router.get("/audit", summary="The audit log, newest first", responses=errors(401, 403))
def api_audit(
    officer: OfficerDep, session: SessionDep, before: AuditCursor = 0
) -> list[dict[str, Any]]:
    query = select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(100)
    if before > 0:
        query = query.where(AuditEvent.seq < before)
    return [_plain(e) for e in session.scalars(query)]


class LookOut(ApiModel):
    at: Instant
    officer: str
    role: Role | None
    category: str | None
    view: str | None


@me_router.get(
    "/looks",
    response_model=list[LookOut],
    summary="Who looked at my data, and why",
    responses=errors(401),
)
def my_looks(person: PersonDep, session: SessionDep) -> list[LookOut]:
    events = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.person_id == person.id,
            AuditEvent.action.in_(("person.opened", "person.viewed")),
        )
        .order_by(AuditEvent.seq.desc())
        .limit(200)
    ).all()
    names = {
        str(o.id): o.display_name
        for o in session.scalars(
            select(Officer).where(
                Officer.id.in_([uuid.UUID(e.actor_id) for e in events if e.actor_id])
            )
        )
    }
    return [
        LookOut(
            at=e.at,
            officer=names.get(e.actor_id or "", "—"),
            role=e.data.get("role"),
            category=e.data.get("category"),
            view=e.data.get("view"),
        )
        for e in events
    ]
