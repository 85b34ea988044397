"""Console dependencies: the session cookie, the role matrix, and CSRF on every form."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import FormData

from amina.errors import Forbidden, InvalidInput, NotAuthenticated
from amina.officers import sessions
from amina.officers.models import Officer
from amina.officers.sessions import Current
from amina.schemas import clean_text
from amina.web.access import require_route
from amina.web.deps import ContextDep, NowDep, SessionDep

SESSION_COOKIE = "amina_console"
PRE_COOKIE = "amina_console_pre"


class SecondFactorNeeded(NotAuthenticated):
    """Signed in with a password only: the next page is the second factor (or enrolment)."""


def _current(request: Request, session: SessionDep, context: ContextDep, now: NowDep) -> Current:
    return sessions.current(
        session,
        now=now,
        keys=context.keys,
        settings=context.settings,
        token=request.cookies.get(SESSION_COOKIE),
    )


PendingDep = Annotated[Current, Depends(_current)]


def _signed_in(request: Request, current: PendingDep) -> Current:
    if not current.complete:
        raise SecondFactorNeeded("give your second factor first", code="second_factor_required")
    require_route(request, current.officer)
    return current


ConsoleDep = Annotated[Current, Depends(_signed_in)]


def officer_of(current: ConsoleDep) -> Officer:
    return current.officer


@dataclass(frozen=True)
class Form:
    data: FormData

    def get(self, name: str, default: str = "") -> str:
        value = self.data.get(name, default)
        return _clean(value.strip()) if isinstance(value, str) else default

    def secret(self, name: str) -> str:
        """A password exactly as typed: it is only ever hashed, never stored or shown."""
        value = self.data.get(name, "")
        return value if isinstance(value, str) else ""

    def all(self, name: str) -> list[str]:
        return [_clean(v) for v in self.data.getlist(name) if isinstance(v, str)]


def _clean(value: str) -> str:
    """Form fields pass the same text rule as the API's (NFC; no NUL or control characters).
    Browsers send a textarea's line breaks as CRLF: those are line breaks, not control codes."""
    try:
        cleaned = clean_text(value.replace("\r\n", "\n"), multiline=True)
    except ValueError as error:
        raise InvalidInput(str(error), code="invalid_text") from error
    return str(cleaned)


async def _checked_form(request: Request, current: PendingDep, context: ContextDep) -> Form:
    """The submitted form, refused unless it carries this session's CSRF token."""
    data = await request.form()
    given = data.get("csrf")
    if not sessions.csrf_matches(context.keys, current.session.id, str(given) if given else None):
        raise Forbidden("the form has expired; open the page again", code="csrf_failed")
    return Form(data)


FormDep = Annotated[Form, Depends(_checked_form)]


def pre_token(request: Request) -> str:
    return request.cookies.get(PRE_COOKIE) or secrets.token_urlsafe(24)


def pre_csrf(context: ContextDep, token: str) -> str:
    key = hmac.new(context.keys.secret, b"amina:console-pre-csrf", hashlib.sha256).digest()
    return hmac.new(key, token.encode(), hashlib.sha256).hexdigest()


async def checked_pre_form(request: Request, context: ContextDep) -> Form:
    """The sign-in form: a double-submit token bound to a pre-session cookie."""
    data = await request.form()
    token, given = request.cookies.get(PRE_COOKIE), data.get("csrf")
    if (
        not token
        or not isinstance(given, str)
        or not hmac.compare_digest(pre_csrf(context, token), given)
    ):
        raise Forbidden("the form has expired; open the page again", code="csrf_failed")
    return Form(data)


PreFormDep = Annotated[Form, Depends(checked_pre_form)]
