"""Console sign-in: password → second factor (or enrolment with a QR at the first sign-in) →
home; sign-out; the officer's own account (password change ends every other session)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from amina.officers import second_factor as sf
from amina.officers import sessions, signin
from amina.web.console.deps import (
    PRE_COOKIE,
    SESSION_COOKIE,
    ConsoleDep,
    FormDep,
    PendingDep,
    PreFormDep,
    pre_csrf,
    pre_token,
)
from amina.web.console.templating import LANG_COOKIE, LANGUAGES, render
from amina.web.deps import ClientIpDep, ContextDep, NowDep, SessionDep

router = APIRouter(prefix="/console", include_in_schema=False)


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    settings = request.app.state.context.settings
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="strict",
        secure=settings.is_production,
        path="/console",
    )


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


@router.get("", response_class=HTMLResponse)
def sign_in_page(request: Request, context: ContextDep, error: str | None = None) -> Response:
    token = pre_token(request)
    response = render(request, "signin.html", csrf=pre_csrf(context, token), error=error)
    _cookie(response, request, PRE_COOKIE, token, 3600)
    return response


@router.get("/lang/{language}")
def choose_language(request: Request, language: str) -> Response:
    response = _see(request.headers.get("referer") or "/console")
    if language in LANGUAGES:
        response.set_cookie(
            LANG_COOKIE, language, max_age=365 * 86400, samesite="strict", path="/console"
        )
    return response


@router.post("/sign-in")
def sign_in(
    request: Request,
    form: PreFormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    ip: ClientIpDep,
) -> Response:
    officer = signin.check_password(
        session,
        now=now,
        keys=context.keys,
        settings=context.settings,
        username=form.get("username"),
        password=form.secret("password"),
        client_ip=ip,
    )
    opened = sessions.open_session(
        session, now=now, keys=context.keys, settings=context.settings, officer=officer
    )
    target = "/console/second-factor" if officer.totp_enrolled_at else "/console/enrol"
    response = _see(target)
    _cookie(
        response, request, SESSION_COOKIE, opened.token, context.settings.console_absolute_timeout_s
    )
    return response


@router.get("/enrol", response_class=HTMLResponse)
def enrol_page(
    request: Request,
    current: PendingDep,
    session: SessionDep,
    context: ContextDep,
    error: str | None = None,
) -> Response:
    if current.officer.totp_enrolled_at is not None:
        return _see("/console/second-factor")
    secret = signin.begin_enrolment(session, keys=context.keys, officer=current.officer)
    uri = sf.provisioning_uri(secret, current.officer.username)
    return render(
        request,
        "enrol.html",
        csrf=sessions.csrf_token(context.keys, current.session.id),
        qr=sf.qr_svg(uri),
        secret=secret,
        officer=current.officer,
        codes=None,
        error=error,
    )


@router.post("/enrol", response_class=HTMLResponse)
def enrol(
    request: Request,
    current: PendingDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    codes = signin.confirm_enrolment(
        session,
        now=now,
        keys=context.keys,
        settings=context.settings,
        officer=current.officer,
        code=form.get("code"),
    )
    sessions.complete(session, now=now, current=current)
    return render(
        request,
        "enrol.html",
        csrf=sessions.csrf_token(context.keys, current.session.id),
        qr=None,
        secret=None,
        officer=current.officer,
        codes=codes,
        error=None,
    )


@router.get("/second-factor", response_class=HTMLResponse)
def second_factor_page(
    request: Request, current: PendingDep, context: ContextDep, error: str | None = None
) -> Response:
    if current.officer.totp_enrolled_at is None:
        return _see("/console/enrol")
    return render(
        request,
        "second_factor.html",
        csrf=sessions.csrf_token(context.keys, current.session.id),
        error=error,
    )


@router.post("/second-factor")
def second_factor(
    request: Request,
    current: PendingDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    signin.check_second_factor(
        session,
        now=now,
        keys=context.keys,
        settings=context.settings,
        officer=current.officer,
        code=form.get("code") or None,
        recovery_code=form.get("recovery_code") or None,
    )
    sessions.complete(session, now=now, current=current)
    notice = signin.take_lock_notice(current.officer)
    return _see("/console/home?locked_notice=1" if notice else "/console/home")


@router.post("/sign-out")
def sign_out(current: ConsoleDep, form: FormDep, session: SessionDep, now: NowDep) -> Response:
    sessions.sign_out(session, now=now, current=current)
    response = _see("/console")
    response.delete_cookie(SESSION_COOKIE, path="/console")
    return response


@router.get("/home", response_class=HTMLResponse)
def home(
    request: Request, current: ConsoleDep, context: ContextDep, locked_notice: int = 0
) -> Response:
    return render(
        request,
        "home.html",
        officer=current.officer,
        locked_notice=bool(locked_notice),
        csrf=sessions.csrf_token(context.keys, current.session.id),
    )


@router.get("/account", response_class=HTMLResponse)
def account(request: Request, current: ConsoleDep, context: ContextDep) -> Response:
    return render(
        request,
        "account.html",
        officer=current.officer,
        done=None,
        csrf=sessions.csrf_token(context.keys, current.session.id),
    )


@router.post("/account/password", response_class=HTMLResponse)
def change_password(
    request: Request,
    current: ConsoleDep,
    form: FormDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> Response:
    new_hash = sessions.prepare_password_change(
        current.officer, form.secret("current_password"), form.secret("new_password")
    )
    ended = sessions.change_password(session, now=now, current=current, new_hash=new_hash)
    return render(
        request,
        "account.html",
        officer=current.officer,
        done=ended,
        csrf=sessions.csrf_token(context.keys, current.session.id),
    )
