"""The one place where errors become HTTP: `{"error": {"code", "message"}}` with a 4xx status.

A 5xx is always a bug; it is logged with its traceback (never with request data) and answered
with a generic body.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from amina import errors

log = logging.getLogger("amina.web")

STATUS_BY_FAMILY: dict[type[errors.DomainError], int] = {
    errors.MalformedRequest: 400,
    errors.InvalidInput: 422,
    errors.NotAuthenticated: 401,
    errors.Forbidden: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.RateLimited: 429,
    errors.Overloaded: 503,
}
CODE_BY_STATUS = {
    400: "bad_request",
    401: "not_authenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    413: "request_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    503: "overloaded",
}


def error_body(code: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, **extra}}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(code, message, **extra), status_code=status, headers=headers)


def status_of(error: errors.DomainError) -> int:
    for family, status in STATUS_BY_FAMILY.items():
        if isinstance(error, family):
            return status
    return 400


def domain_error_parts(
    exc: errors.DomainError,
) -> tuple[int, dict[str, Any], dict[str, str] | None]:
    """(status, body, extra headers) of a domain error: the one mapping, used by the error
    handler below and by the intake's lane (`web/fastlane.py`)."""
    headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, errors.NotAuthenticated) else None
    if isinstance(exc, errors.RateLimited | errors.Overloaded):
        headers = {"Retry-After": str(exc.retry_after_s)}
    return status_of(exc), error_body(exc.code, exc.message, **exc.details), headers


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    status, body, headers = domain_error_parts(cast(errors.DomainError, exc))
    return JSONResponse(body, status_code=status, headers=headers)


def _field(location: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in location if part != "body") or "body"


async def _validation_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = cast(RequestValidationError, exc)
    problems = exc.errors()
    if any(problem.get("type") == "json_invalid" for problem in problems):
        return error_response(400, "malformed_json", "the request body is not valid JSON")
    # The offending values are not echoed back: they may be personal data.
    details = [
        {"field": _field(tuple(p.get("loc", ()))), "problem": p.get("msg", "")} for p in problems
    ]
    first = details[0] if details else {"field": "body", "problem": "invalid"}
    message = f"{first['field']}: {first['problem']}"
    return error_response(422, "invalid_request", message, details=details)


async def _http_error(_request: Request, exc: Exception) -> JSONResponse:
    exc = cast(StarletteHTTPException, exc)
    code = CODE_BY_STATUS.get(exc.status_code, "http_error")
    message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
    return error_response(exc.status_code, code, message, headers=getattr(exc, "headers", None))


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    route = request.scope.get("route")
    log.exception("unhandled error in %s %s", request.method, getattr(route, "path", "?"))
    return error_response(500, "internal_error", "something went wrong on our side")


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.DomainError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
