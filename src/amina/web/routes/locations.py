"""Location reports from the app (api.md, `POST /me/locations`).

The body must be signed by the device's Ed25519 key. The route is `async` with no dependencies
that hop into the thread pool: the token, the device key and the signature are checked on the
event loop (with per-process caches), the body is parsed with orjson, and the write goes to the
group-commit writer (`monitoring/hotpath.py`). The answer is sent only after the accepted
reports are durably committed; when the writer is saturated it answers 503 with Retry-After
instead of hanging.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from amina.context import AppContext
from amina.errors import InvalidInput, MalformedRequest
from amina.monitoring.answer import intake_json
from amina.monitoring.hotpath import signed_first
from amina.monitoring.schemas import IntakeOut
from amina.web.deps import bearer_of
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/me", tags=["locations"])

BATCH_SCHEMA = {
    "type": "object",
    "required": ["reports"],
    "additionalProperties": False,
    "properties": {
        "reports": {
            "type": "array",
            "minItems": 1,
            "maxItems": 500,
            "items": {"$ref": "#/components/schemas/LocationIn"},
        }
    },
}


def parse_batch(raw: bytes, max_reports: int) -> list[Any]:
    """`{"reports": [...]}`, 1 to `max_reports` items (each judged later, on its own)."""
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise MalformedRequest(
            "the request body is not valid JSON", code="malformed_json"
        ) from None
    if not isinstance(body, dict) or set(body) != {"reports"}:
        raise InvalidInput(
            'reports: the body is {"reports": [LOCATION, …]} and nothing else',
            code="invalid_request",
        )
    reports = body["reports"]
    if not isinstance(reports, list) or not 1 <= len(reports) <= min(max_reports, 500):
        raise InvalidInput(
            f"reports: a list of 1 to {min(max_reports, 500)} reports", code="invalid_request"
        )
    return reports


@router.post(
    "/locations",
    response_model=IntakeOut,
    summary="Report locations (single or batch up to 500), signed by the device key",
    responses=errors(401, 403, 413, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": BATCH_SCHEMA}},
        },
        "parameters": [
            {
                "name": "Amina-Signature",
                "in": "header",
                "required": False,
                "description": "base64url Ed25519 signature of the body",
                "schema": {"type": "string"},
            }
        ],
    },
)
async def post_locations(request: Request) -> Response:
    answer = await take_reports(
        request.app.state.context,
        request.headers.get("authorization", ""),
        request.headers.get("amina-signature"),
        await request.body(),
    )
    return Response(answer, media_type="application/json")


async def take_reports(
    context: AppContext, authorization: str, signature: str | None, raw: bytes
) -> bytes:
    """The route's work, shared with its lane below FastAPI (`web/fastlane.py`): the answer's
    JSON once the accepted reports are committed; a `DomainError` otherwise."""
    bearer = bearer_of(authorization)
    intake = context.intake
    async with intake.admitted():
        now = context.clock.now()
        device = await intake.app_device(bearer, now)
        check = intake.signature_check(device, signature, raw)
        with signed_first(check):
            items = parse_batch(raw, context.settings.max_reports_per_batch)
        result = await intake.reports(device, items, now, raw=raw, check=check)
    return intake_json(result)


async def lane(context: AppContext, headers: Mapping[str, str], raw: bytes) -> bytes:
    return await take_reports(
        context, headers.get("authorization", ""), headers.get("amina-signature"), raw
    )
