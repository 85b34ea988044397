"""Console pages about people: search, opening with a reason (audited before anything is
shown), the person page, timeline, map, presence calendar, and a manual reminder."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.console import person as person_page
from amina.console import queues, reads
from amina.console import timeline as views
from amina.console.reads import ReasonCategory
from amina.console.search import Query, SearchKind, search
from amina.errors import InvalidInput
from amina.officers import sessions
from amina.officers.permissions import allowed
from amina.patents import repo as patent_repo
from amina.patents import service as patents
from amina.rules.calendar import moscow_date
from amina.web.console.deps import ConsoleDep, FormDep
from amina.web.console.templating import render
from amina.web.deps import ContextDep, NowDep, SessionDep

router = APIRouter(prefix="/console", include_in_schema=False)
MAX_UNFOLDED = 31


def _csrf(context: ContextDep, current: ConsoleDep) -> str:
    return sessions.csrf_token(context.keys, current.session.id)


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, current: ConsoleDep, context: ContextDep) -> Response:
    return render(
        request,
        "search.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        hits=None,
        kinds=list(SearchKind),
        kind="card",
    )


def parse_query(kind: str, value: str, citizenship: str, birth_date: str) -> Query:
    try:
        chosen = SearchKind(kind)
        born = date.fromisoformat(birth_date) if birth_date else None
    except ValueError:
        raise InvalidInput("choose what to search by", code="invalid_search") from None
    return Query(chosen, value, citizenship, born)


@router.post("/search", response_class=HTMLResponse)
def search_submit(
    request: Request,
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    query = parse_query(
        form.get("kind"), form.get("value"), form.get("citizenship"), form.get("birth_date")
    )
    hits = search(session, now=now, officer=current.officer, query=query)
    return render(
        request,
        "search.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        hits=hits,
        kinds=list(SearchKind),
        kind=query.kind.value,
    )


@router.get("/people/{person_id}/open", response_class=HTMLResponse)
def open_page(
    request: Request, person_id: uuid.UUID, current: ConsoleDep, context: ContextDep
) -> Response:
    return render(
        request,
        "open.html",
        officer=current.officer,
        csrf=_csrf(context, current),
        person_id=person_id,
        categories=list(ReasonCategory),
    )


@router.post("/people/{person_id}/open")
def open_person(
    person_id: uuid.UUID,
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    try:
        category = ReasonCategory(form.get("category"))
    except ValueError:
        raise InvalidInput("choose a reason", code="reason_required") from None
    reads.audited(
        session,
        now=now,
        officer=current.officer,
        person_id=person_id,
        view="open",
        category=category,
        reason=form.get("reason"),
        opening=True,
    )
    token = reads.opening_token(
        context.keys,
        session_id=current.session.id,
        person_id=person_id,
        category=category,
        until=now + reads.OPENING_TTL,
    )
    return RedirectResponse(f"/console/people/{person_id}?o={token}", status_code=303)


def _grant(
    view: str,
    person_id: uuid.UUID,
    o: str | None,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> reads.Grant:
    category = reads.read_opening(
        context.keys, o, session_id=current.session.id, person_id=person_id, now=now
    )
    return reads.audited(
        session,
        now=now,
        officer=current.officer,
        person_id=person_id,
        view=view,
        category=category,
        reason="",
    )


@router.get("/people/{person_id}", response_class=HTMLResponse)
def person(
    request: Request,
    person_id: uuid.UUID,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    o: str | None = None,
) -> Response:
    grant = _grant("person", person_id, o, current, session, context, now)
    data = person_page.page(session, grant, now=now, settings=context.settings)
    # The patent (issue 12) is read under the same audited opening, for roles that may see it.
    patent = None
    if allowed(current.officer.role, "patent.view"):
        found = patent_repo.current_for_person(session, person_id)
        patent = patents.view(session, found, now=now, settings=context.settings) if found else None
    return render(
        request,
        "person.html",
        patent=patent,
        patent_visible=allowed(current.officer.role, "patent.view"),
        officer=current.officer,
        csrf=_csrf(context, current),
        p=data,
        o=o,
        tab="person",
        person_id=person_id,
        sent=request.query_params.get("sent"),
    )


def unfolded_days(raw: list[str]) -> list[date]:
    """The days whose reports the officer asked to see one by one (a few at most)."""
    if len(raw) > MAX_UNFOLDED:
        raise InvalidInput(f"unfold at most {MAX_UNFOLDED} days", code="invalid_day")
    try:
        return sorted({date.fromisoformat(day) for day in raw})
    except ValueError:
        raise InvalidInput("a day is YYYY-MM-DD", code="invalid_day") from None


@router.get("/people/{person_id}/timeline", response_class=HTMLResponse)
def person_timeline(
    request: Request,
    person_id: uuid.UUID,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    o: str | None = None,
) -> Response:
    grant = _grant("timeline", person_id, o, current, session, context, now)
    chosen = {t for t in request.query_params.getlist("type") if t in views.TYPES}
    unfolded = unfolded_days(request.query_params.getlist("day"))
    entries = views.timeline(session, grant, now=now, types=chosen or None, unfolded=unfolded)

    def unfold_query(day: date) -> str:
        days = [d.isoformat() for d in sorted({*unfolded, day})]
        return urlencode(
            [("o", o or ""), *(("type", t) for t in sorted(chosen)), *(("day", d) for d in days)]
        )

    return render(
        request,
        "timeline.html",
        officer=current.officer,
        entries=entries,
        o=o,
        tab="timeline",
        person_id=person_id,
        types=views.TYPES,
        chosen=chosen or set(views.TYPES) - views.SYSTEM_TYPES,
        unfolded=unfolded,
        unfold_query=unfold_query,
    )


@router.get("/people/{person_id}/map", response_class=HTMLResponse)
def person_map(
    request: Request,
    person_id: uuid.UUID,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    o: str | None = None,
) -> Response:
    grant = _grant("map", person_id, o, current, session, context, now)
    settings = context.settings
    layers = views.territory_layers(
        str(settings.territory_boundary_path) if settings.territory_boundary_path else None,
        settings.territory_tolerance_m,
    )
    data = {
        "points": views.track(session, grant, now=now),
        "layers": layers,
        "tiles": settings.map_tile_url,
    }
    return render(
        request,
        "map.html",
        officer=current.officer,
        data=data,
        o=o,
        tab="map",
        person_id=person_id,
    )


@router.get("/people/{person_id}/presence", response_class=HTMLResponse)
def person_presence(
    request: Request,
    person_id: uuid.UUID,
    current: ConsoleDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    o: str | None = None,
    month: str | None = None,
) -> Response:
    grant = _grant("presence", person_id, o, current, session, context, now)
    try:
        first = date.fromisoformat(f"{month}-01") if month else moscow_date(now).replace(day=1)
    except ValueError:
        raise InvalidInput("a month is YYYY-MM", code="invalid_month") from None
    weeks = views.presence_month(session, grant, settings=context.settings, month=first)
    previous = (first - timedelta(days=1)).strftime("%Y-%m")
    following = (first + timedelta(days=32)).strftime("%Y-%m")
    return render(
        request,
        "presence.html",
        officer=current.officer,
        weeks=weeks,
        o=o,
        tab="presence",
        person_id=person_id,
        month=first,
        previous=previous,
        following=following,
    )


@router.post("/people/{person_id}/reminders")
def manual_reminder(
    person_id: uuid.UUID,
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    queues.send_reminder(
        session, now=now, settings=context.settings, officer=current.officer, person_id=person_id
    )
    back = form.get("back")
    target = back if back.startswith("/console/") else "/console/queues/due-soon"
    sep = "&" if "?" in target else "?"
    return RedirectResponse(f"{target}{sep}sent=1", status_code=303)
