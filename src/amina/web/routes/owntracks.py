"""OwnTracks HTTP mode (api.md): `POST /owntracks/pub` with Basic credentials.

Locations go through the same intake as the app's, keyed by (device, tst). The answer is `200 []`
for every authenticated, well-formed request, even when a report is refused: OwnTracks would
otherwise resend a refused report for ever. Refusals are logged by code, without personal data.
A message whose text carries NUL or another control character, or whose numbers are not JSON
numbers, is not well-formed: 422.

The route is `async` and goes through the hot path (`monitoring/hotpath.py`): credentials from
a per-process cache (revocation is checked in the write), group commit, 503 when saturated.
"""

from __future__ import annotations

import base64
import binascii
import logging
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import orjson
from fastapi import APIRouter, Request, Response

from amina.auth import owntracks
from amina.context import AppContext
from amina.errors import InvalidInput, MalformedRequest, NotAuthenticated
from amina.schemas import has_control
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


def _credentials(authorization: str) -> tuple[str, str]:
    scheme, _, encoded = authorization.partition(" ")
    try:
        if scheme.lower() != "basic":
            raise ValueError("not basic")
        username, _, password = base64.b64decode(encoded, validate=True).decode().partition(":")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise NotAuthenticated(
            "OwnTracks credentials are required", code="not_authenticated"
        ) from None
    return username, password


def _check_text(value: Any, where: str) -> None:
    """No NUL or other control character in any key or text value, at any depth."""
    if isinstance(value, str):
        if has_control(value):
            raise InvalidInput(
                f"{where}: control characters are not allowed", code="invalid_message"
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, where)
            _check_text(item, f"{where}.{str(key)[:40]}")
    elif isinstance(value, list):
        for item in value:
            _check_text(item, where)


def _message(raw: bytes) -> dict[str, Any]:
    try:
        message = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise MalformedRequest("the body is not valid JSON", code="malformed_json") from None
    if not isinstance(message, dict):
        raise InvalidInput("an OwnTracks message is a JSON object", code="invalid_message")
    _check_text(message, "message")
    if message.get("_type") == "location":
        for name in ("lat", "lon", "acc"):
            value = message.get(name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float)
            ):
                raise InvalidInput(f"{name} must be a JSON number", code="invalid_message")
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
    responses=errors(400, 401, 413, 422, 503),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": MESSAGE_SCHEMA}},
        }
    },
)
async def publish(request: Request) -> Response:
    answer = await take_message(
        request.app.state.context, request.headers.get("authorization", ""), await request.body()
    )
    return Response(answer, media_type="application/json")


async def take_message(context: AppContext, authorization: str, raw: bytes) -> bytes:
    """The route's work, shared with its lane below FastAPI (`web/fastlane.py`)."""
    username, password = _credentials(authorization)
    intake = context.intake
    async with intake.admitted():
        device = await intake.owntracks_device(username, password)
        message = _message(raw)
        if message.get("_type") == "location":  # other message types are accepted and ignored
            result = await intake.reports(
                device,
                [as_report(device.device_id, message)],
                context.clock.now(),
                owntracks=True,
            )
            for refused in result.rejected:
                log.info("owntracks report refused: %s", refused.code)
    return b"[]"


async def lane(context: AppContext, headers: Mapping[str, str], raw: bytes) -> bytes:
    return await take_message(context, headers.get("authorization", ""), raw)
