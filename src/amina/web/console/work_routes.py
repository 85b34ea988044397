"""Console work queues: due soon, cases (claim, hand off, decide with a written reason), the
registry with four eyes, outages and calendar overrides."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from fastapi import APIRouter, BackgroundTasks, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from amina import decisions
from amina.audit.service import Actor
from amina.calendar.models import OutageSource
from amina.calendar.service import add_outage, set_override
from amina.cases import registry
from amina.cases.models import Case, RegistryEntry
from amina.console import queues
from amina.context import AppContext
from amina.districts.scope import visible_ids
from amina.errors import InvalidInput, NotFound
from amina.officers import sessions
from amina.officers.models import Officer
from amina.rules.calendar import MOSCOW, moscow_day_span
from amina.rules.lifecycle import CaseOutcome, RegistryStatus
from amina.web.console.deps import ConsoleDep, FormDep
from amina.web.console.templating import render
from amina.web.deps import ContextDep, NowDep, SessionDep

router = APIRouter(prefix="/console", include_in_schema=False)


def _csrf(context: ContextDep, current: ConsoleDep) -> str:
    return sessions.csrf_token(context.keys, current.session.id)


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _uuid(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        raise InvalidInput(f"choose {what}", code="invalid_id") from None


@router.get("/queues/due-soon", response_class=HTMLResponse)
def due_soon(
    request: Request, current: ConsoleDep, session: SessionDep, context: ContextDep, now: NowDep
) -> Response:
    rows = queues.due_soon(session, now=now, settings=context.settings, officer=current.officer)
    return render(
        request,
        "due.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        rows=rows,
        sent=request.query_params.get("sent"),
    )


def _officers(session: SessionDep) -> list[Officer]:
    return list(
        session.scalars(
            select(Officer).where(Officer.disabled_at.is_(None)).order_by(Officer.display_name)
        )
    )


@router.get("/cases", response_class=HTMLResponse)
def case_list(
    request: Request,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
    assignee: str = "",
) -> Response:
    mine = assignee == "me"
    chosen = (
        current.officer.id
        if mine
        else (_uuid(assignee, "an officer") if assignee not in {"", "none"} else None)
    )
    rows = queues.cases_queue(
        session, assignee=chosen, unassigned=assignee == "none", officer=current.officer
    )
    return render(
        request,
        "cases.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        rows=rows,
        officers=_officers(session),
        assignee=assignee,
    )


@router.post("/cases/{case_id}/claim")
def claim(
    case_id: uuid.UUID, current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    queues.claim(session, now=now, officer=current.officer, case_id=case_id)
    return _see(f"/console/cases/{case_id}")


@router.post("/cases/handoff")
def hand_off(current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    ids = [_uuid(v, "cases") for v in form.all("case")]
    queues.hand_off(
        session,
        now=now,
        officer=current.officer,
        case_ids=ids,
        to=_uuid(form.get("to"), "an officer"),
    )
    return _see("/console/cases")


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def case_page(
    request: Request,
    case_id: uuid.UUID,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
) -> Response:
    case = session.get(Case, case_id)
    if case is None or not visible_ids(session, current.officer, [case.person_id]):
        raise NotFound("no such case", code="case_not_found")
    return render(
        request,
        "case.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        case=case,
        outcomes=list(CaseOutcome),
    )


@router.post("/cases/{case_id}/decision")
def decide(
    case_id: uuid.UUID,
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    try:
        outcome = CaseOutcome(form.get("outcome"))
    except ValueError:
        raise InvalidInput("choose an outcome", code="invalid_outcome") from None
    if not form.get("reason"):
        raise InvalidInput("a decision needs a written reason", code="reason_required")
    decisions.decide(
        session,
        now=now,
        settings=context.settings,
        officer=current.officer,
        case_id=case_id,
        outcome=outcome,
        reason=form.get("reason"),
    )
    return _see(f"/console/cases/{case_id}")


@router.get("/registry", response_class=HTMLResponse)
def registry_page(
    request: Request, current: ConsoleDep, session: SessionDep, context: ContextDep
) -> Response:
    def entries(status: RegistryStatus) -> list[RegistryEntry]:  # within the officer's scope
        return registry.entries(session, status=status, officer=current.officer)

    return render(
        request,
        "registry.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        proposed=entries(RegistryStatus.PROPOSED),
        listed=entries(RegistryStatus.LISTED),
        removed=entries(RegistryStatus.REMOVED)[:50],
    )


@router.post("/registry")
def propose(current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    case_id = form.get("case_id")
    registry.propose(
        session,
        now=now,
        officer=current.officer,
        person_id=_uuid(form.get("person_id"), "a person"),
        basis=form.get("basis"),
        case_id=_uuid(case_id, "a case") if case_id else None,
    )
    return _see("/console/registry")


@router.post("/registry/{entry_id}/approve")
def approve(
    entry_id: uuid.UUID, current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    registry.decide(session, now=now, officer=current.officer, entry_id=entry_id, approve=True)
    return _see("/console/registry")


@router.post("/registry/{entry_id}/reject")
def reject(
    entry_id: uuid.UUID, current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    registry.decide(
        session,
        now=now,
        officer=current.officer,
        entry_id=entry_id,
        approve=False,
        reason=form.get("reason"),
    )
    return _see("/console/registry")


@router.post("/registry/{entry_id}/remove")
def remove(
    entry_id: uuid.UUID, current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep
) -> Response:
    registry.remove(
        session, now=now, officer=current.officer, entry_id=entry_id, reason=form.get("reason")
    )
    return _see("/console/registry")


@router.get("/outages", response_class=HTMLResponse)
def outages(
    request: Request, current: ConsoleDep, session: SessionDep, context: ContextDep
) -> Response:
    return render(
        request,
        "outages.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        facts=queues.calendar_facts(session),
    )


def _moscow(value: str, what: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{what}: a date and time", code="invalid_instant") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=MOSCOW)


def _reschedule(
    context: AppContext, start: datetime, end: datetime, kind: str, subject: str
) -> None:
    queues.reschedule_and_count(
        context.db,
        now=context.clock.now(),
        settings=context.settings,
        starts_at=start,
        ends_at=end,
        subject_type=kind,
        subject_id=subject,
    )


@router.post("/outages")
def declare_outage(
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> Response:
    start, end = _moscow(form.get("starts_at"), "from"), _moscow(form.get("ends_at"), "to")
    outage = add_outage(
        session,
        now=now,
        actor=Actor.officer(current.officer.id),
        starts_at=start,
        ends_at=end,
        reason=form.get("reason"),
        source=OutageSource.DECLARED,
        officer_id=current.officer.id,
    )
    background.add_task(_reschedule, context, start, end, "outage", str(outage.id))
    return _see("/console/outages")


@router.post("/calendar/overrides")
def override(
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    background: BackgroundTasks,
) -> Response:
    try:
        day = date.fromisoformat(form.get("date"))
    except ValueError:
        raise InvalidInput("choose a date", code="invalid_date") from None
    set_override(
        session,
        now=now,
        actor=Actor.officer(current.officer.id),
        day=day,
        is_working=form.get("is_working") == "true",
        reason=form.get("reason"),
        officer_id=current.officer.id,
    )
    start, end = moscow_day_span(day)
    background.add_task(_reschedule, context, start, end, "calendar_day", day.isoformat())
    return _see("/console/outages")
