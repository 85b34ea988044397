"""Traccar Client: issuing its device id, and its OsmAnd-protocol reports at `/osmand`.

`/osmand` is public in the sense that it takes no bearer token: the long random device id is
the credential (only its keyed hash is stored). A refused report answers 400 with the reason;
Traccar Client keeps it and retries, which is right for a transient error and harmless for a
permanent one. An unknown or revoked id answers 401.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response

from amina.errors import InvalidInput, NotAuthenticated
from amina.registration.proof import qr_svg
from amina.schemas import ApiModel
from amina.traccar import protocol, service
from amina.tracker_intake import ingest_report
from amina.web.deps import ContextDep, NowDep, PrincipalDep, RawBodyDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(tags=["traccar"])
log = logging.getLogger("amina.traccar")


class TraccarOut(ApiModel):
    id: uuid.UUID
    server_url: str
    device_id: str
    qr_svg: str


@router.post(
    "/api/v1/me/devices/traccar",
    status_code=201,
    response_model=TraccarOut,
    summary="A Traccar Client device id (shown once) and the server URL",
    responses=errors(401),
)
def create_traccar(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> TraccarOut:
    issued = service.create_device(
        session, now=now, keys=context.keys, person_id=principal.person_id
    )
    server_url = context.settings.public_base_url.rstrip("/") + "/osmand"
    # Traccar Client scans a QR holding the server URL with its id (`?id=`), the form its
    # "scan configuration" reads; the app shows both as text too.
    return TraccarOut(
        id=issued.device_id,
        server_url=server_url,
        device_id=issued.identifier,
        qr_svg=qr_svg(f"{server_url}?id={issued.identifier}"),
    )


@router.delete(
    "/api/v1/me/devices/traccar/{device_id}",
    status_code=204,
    summary="Revoke a Traccar Client device id",
    responses=errors(401, 404),
)
def revoke_traccar(
    device_id: uuid.UUID, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> Response:
    service.revoke(session, now=now, person_id=principal.person_id, device_id=device_id)
    return Response(status_code=204)


def _body(request: Request, raw: bytes) -> tuple[dict[str, str], Any]:
    """The form fields (a POST of the query form) and the JSON body (the newer client)."""
    content_type = request.headers.get("content-type", "")
    if not raw:
        return {}, None
    if "json" in content_type:
        try:
            return {}, json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise InvalidInput("the body is not valid JSON", code="malformed_json") from None
    if "application/x-www-form-urlencoded" in content_type:
        try:
            return dict(parse_qsl(raw.decode(), keep_blank_values=True)), None
        except UnicodeDecodeError:
            raise InvalidInput("the form is not UTF-8", code="invalid_report") from None
    return {}, None


def osmand(
    request: Request, raw: RawBodyDep, session: SessionDep, context: ContextDep, now: NowDep
) -> Response:
    form, body = _body(request, raw)
    query: dict[str, Any] = {**dict(request.query_params), **form}
    identifier = protocol.identifier_of(query, body)
    if not identifier:
        raise NotAuthenticated("a Traccar device id is required", code="not_authenticated")
    device = service.authenticate(session, keys=context.keys, identifier=identifier)
    try:
        report = protocol.as_report(device.id, query, body)
    except protocol.FormatError as error:
        raise InvalidInput(str(error), code="invalid_report") from None
    refused = ingest_report(
        session,
        now=now,
        settings=context.settings,
        territory=context.territory,
        person_id=device.person_id,
        device_id=device.id,
        report=report,
    )
    if refused:
        # Refused reports change nothing: answer why, as any other 4xx.
        log.info("traccar report refused: %s", ",".join(refused))
        raise InvalidInput("the report was refused: " + ",".join(refused), code=refused[0])
    return Response(status_code=200)


for _method in ("GET", "POST"):
    router.add_api_route(
        "/osmand",
        osmand,
        methods=[_method],
        operation_id=f"osmand_{_method.lower()}",
        summary="Traccar Client (OsmAnd protocol): one report, as a query or a JSON body",
        responses=errors(400, 401, 422),
    )
