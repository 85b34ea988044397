"""Location reports from the app (api.md, `POST /me/locations`).

The body must be signed by the device's Ed25519 key. The answer is sent only after the accepted
reports are durably committed (the unit of work commits before the response, see web/deps.py).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header

from amina.auth.devices import verify_signature
from amina.errors import Forbidden
from amina.monitoring import intake
from amina.monitoring.schemas import IntakeOut, LocationBatchIn, RejectedOut
from amina.web.deps import ContextDep, NowDep, PrincipalDep, RawBodyDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/me", tags=["locations"])


@router.post(
    "/locations",
    response_model=IntakeOut,
    summary="Report locations (single or batch up to 500), signed by the device key",
    responses=errors(401, 403, 413, 422),
)
def post_locations(
    body: LocationBatchIn,
    raw: RawBodyDep,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    signature: Annotated[
        str | None,
        Header(alias="Amina-Signature", description="base64url Ed25519 signature of the body"),
    ] = None,
) -> IntakeOut:
    if principal.public_key is None:
        raise Forbidden("this device reports through OwnTracks", code="wrong_device")
    verify_signature(principal.public_key, raw, signature)
    result = intake.ingest(
        session,
        now=now,
        settings=context.settings,
        territory=context.territory,
        person_id=principal.person_id,
        device_id=principal.device_id,
        items=body.reports,
    )
    return IntakeOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=[RejectedOut.model_validate(r) for r in result.rejected],
        monitoring=result.monitoring,
    )
