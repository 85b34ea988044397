"""OwnTracks HTTP mode (api.md): `POST /owntracks/pub` with Basic credentials.

Locations go through the same intake as the app's, keyed by (device, tst). The answer is `200 []`
for every authenticated, well-formed request, even when a report is refused: OwnTracks would
otherwise resend a refused report for ever. Refusals are logged by code, without personal data.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import uuid
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from amina.auth import owntracks
from amina.errors import InvalidInput, MalformedRequest, NotAuthenticated
from amina.monitoring import intake
from amina.web.deps import ContextDep, NowDep, RawBodyDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(tags=["owntracks"])
log = logging.getLogger("amina.owntracks")
MESSAGE_SCHEMA = {
    "type": "object",
    "required": ["_type"],
    "properties": {
        "_type": {"type": "string"},
        "lat": {"type": "number"},
        "lon": {"type": "number"},
        "tst": {"type": "integer"},
        "acc": {"type": "number"},
    },
}


def _credentials(request: Request) -> tuple[str, str]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError("not basic")
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated(
            "OwnTracks credentials are required", code="not_authenticated"
        ) from None
    return username, password


def _message(raw: bytes) -> dict[str, Any]:
    try:
        message = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise MalformedRequest("the body is not valid JSON", code="malformed_json") from None
    if not isinstance(message, dict):
        raise InvalidInput("an OwnTracks message is a JSON object", code="invalid_message")
    return message


def as_report(device_id: uuid.UUID, message: dict[str, Any]) -> dict[str, Any]:
    """An OwnTracks location as an Amina LOCATION (validated by the intake like any other)."""
    tst = message.get("tst")
    if not isinstance(tst, int) or isinstance(tst, bool) or not 0 < tst < 2**33:
        return {"invalid": "tst must be a Unix timestamp in seconds"}
    return {
        "id": str(owntracks.report_id(device_id, tst)),
        "lat": message.get("lat"),
        "lon": message.get("lon"),
        "accuracy_m": message.get("acc") or None,
        "recorded_at": datetime.fromtimestamp(tst, tz=UTC).isoformat(),
        "source": "fused",
        "mock": False,
    }


@router.post(
    "/owntracks/pub",
    summary="OwnTracks HTTP mode: one JSON message per request; answers []",
    responses=errors(400, 401, 413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MESSAGE_SCHEMA}},
        }
    },
)
def publish(
    request: Request, raw: RawBodyDep, session: SessionDep, context: ContextDep, now: NowDep
) -> JSONResponse:
    username, password = _credentials(request)
    principal = owntracks.authenticate(
        session, keys=context.keys, username=username, password=password
    )
    message = _message(raw)
    if message.get("_type") == "location":  # other message types are accepted and ignored
        result = intake.ingest(
            session,
            now=now,
            settings=context.settings,
            territory=context.territory,
            person_id=principal.person_id,
            device_id=principal.device_id,
            items=[as_report(principal.device_id, message)],
            owntracks=True,
        )
        for refused in result.rejected:
            log.info("owntracks report refused: %s", refused.code)
    return JSONResponse([])
