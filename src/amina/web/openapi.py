"""OpenAPI helpers: every route documents the error shape it can answer with."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

DESCRIPTIONS = {
    400: "Malformed request (e.g. not JSON)",
    401: "Not signed in, or the credentials are wrong, expired or reused",
    403: "Signed in, but not allowed",
    404: "Not found",
    409: "The current state does not allow it",
    413: "The request body is too large",
    422: "The request breaks a rule or a field is invalid",
    429: "Too many attempts; see Retry-After",
    503: "Overloaded: nothing was changed; try again after Retry-After",
}


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": ErrorBody, "description": DESCRIPTIONS[status]} for status in statuses
    }
