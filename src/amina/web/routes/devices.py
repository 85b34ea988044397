"""Other ways to reach a person's phone: OwnTracks for background reports, Web Push."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import AnyUrl, Field

from amina.auth import owntracks
from amina.notifications.subscriptions import subscribe, unsubscribe
from amina.registration.proof import qr_svg
from amina.schemas import ApiModel, RequestModel, Text
from amina.web.deps import ContextDep, NowDep, PrincipalDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/me", tags=["devices"], responses=errors(401))


class OwnTracksOut(ApiModel):
    device_id: uuid.UUID
    username: str
    password: str
    url: str
    config: dict[str, Any]
    config_url: str
    qr_svg: str


@router.post(
    "/devices/owntracks",
    status_code=201,
    response_model=OwnTracksOut,
    summary="Credentials and configuration for the OwnTracks app (shown once)",
)
def create_owntracks(
    principal: PrincipalDep, session: SessionDep, context: ContextDep, now: NowDep
) -> OwnTracksOut:
    credentials = owntracks.create_device(
        session, now=now, keys=context.keys, person_id=principal.person_id
    )
    url = f"{context.settings.public_base_url.rstrip('/')}/owntracks/pub"
    config = owntracks.configuration(credentials, url)
    config_url = owntracks.configuration_url(config)
    return OwnTracksOut(
        device_id=credentials.device_id,
        username=credentials.username,
        password=credentials.password,
        url=url,
        config=config,
        config_url=config_url,
        qr_svg=qr_svg(config_url),
    )


class PushKeys(RequestModel):
    p256dh: Text = Field(min_length=1, max_length=200)
    auth: Text = Field(min_length=1, max_length=100)


class PushSubscriptionIn(RequestModel):
    """The browser's `PushSubscription.toJSON()`."""

    endpoint: AnyUrl = Field(max_length=1000)
    keys: PushKeys
    expirationTime: float | None = None


class PushSubscriptionOut(ApiModel):
    id: uuid.UUID


@router.post(
    "/push-subscriptions",
    status_code=201,
    response_model=PushSubscriptionOut,
    summary="Register a Web Push subscription",
    responses=errors(409, 422),
)
def create_push_subscription(
    body: PushSubscriptionIn,
    principal: PrincipalDep,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
) -> PushSubscriptionOut:
    stored = subscribe(
        session,
        now=now,
        person_id=principal.person_id,
        device_id=principal.device_id,
        endpoint=str(body.endpoint),
        p256dh=body.keys.p256dh,
        auth=body.keys.auth,
        allow_local_http=not context.settings.is_production,
    )
    return PushSubscriptionOut(id=stored.id)


class PushUnsubscribeIn(RequestModel):
    endpoint: AnyUrl = Field(max_length=1000)


@router.delete("/push-subscriptions", status_code=204, summary="Stop Web Push to a browser")
def delete_push_subscription(
    body: PushUnsubscribeIn, principal: PrincipalDep, session: SessionDep, now: NowDep
) -> Response:
    unsubscribe(session, now=now, person_id=principal.person_id, endpoint=str(body.endpoint))
    return Response(status_code=204)
