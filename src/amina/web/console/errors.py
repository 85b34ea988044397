"""How the console answers a refusal: sign-in problems go back to the right step (303, the
error's code in the query, never data), anything else is an HTML page with the 4xx status.
Everything outside /console keeps the JSON error of web/errors.py."""

from __future__ import annotations

from typing import cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response

from amina import errors
from amina.web import errors as json_errors
from amina.web.console.deps import SESSION_COOKIE, SecondFactorNeeded
from amina.web.console.templating import render

STEP_PAGES = {"/console/sign-in": "/console", "/console/second-factor": "/console/second-factor"}
ENROL = "/console/enrol"


def _is_console(request: Request) -> bool:
    path = request.url.path
    return path == "/console" or (
        path.startswith("/console/") and not path.startswith("/console/static/")
    )


async def _domain_error(request: Request, exc: Exception) -> Response:
    if not _is_console(request):
        return await json_errors._domain_error(request, exc)
    error = cast(errors.DomainError, exc)
    path = request.url.path
    if isinstance(error, SecondFactorNeeded):
        return RedirectResponse("/console/second-factor", status_code=303)
    if isinstance(error, errors.NotAuthenticated) and error.code == "not_authenticated":
        response = RedirectResponse("/console?error=session_ended", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response
    if path in STEP_PAGES and error.code != "csrf_failed":
        target = "/console" if error.code == "account_locked" else STEP_PAGES[path]
        response = RedirectResponse(f"{target}?error={error.code}", status_code=303)
        if error.code == "account_locked":
            response.delete_cookie(SESSION_COOKIE, path="/console")
        return response
    if path == ENROL and error.code == "invalid_code":
        return RedirectResponse(f"{ENROL}?error=invalid_code", status_code=303)
    if isinstance(error, errors.NotAuthenticated):
        response = RedirectResponse("/console?error=session_ended", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/console")
        return response
    status = json_errors.status_of(error)
    return render(request, "error.html", status, code=error.code, message=error.message)


async def _validation_error(request: Request, exc: Exception) -> Response:
    if not _is_console(request):
        return await json_errors._validation_error(request, exc)
    return render(request, "error.html", 422, code="invalid_request", message="")


def install_console_errors(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
