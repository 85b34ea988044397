"""Other ways to reach a person's phone: OwnTracks for background reports, Web Push."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Response
from pydantic import AnyUrl, Field

from amina.auth import owntracks
from amina.mqtt import accounts as mqtt_accounts
from amina.notifications.subscriptions import subscribe, unsubscribe
from amina.registration.proof import qr_svg
from amina.schemas import ApiModel, RequestModel, Text
from amina.web.deps import ContextDep, NowDep, PrincipalDep, SessionDep
from amina.web.openapi import errors

router = APIRouter(prefix="/api/v1/me", tags=["devices"], responses=errors(401))


class MqttOut(ApiModel):
    host: str
    port: int
    username: str
    password: str
    topic: str


class OwnTracksOut(ApiModel):
    device_id: uuid.UUID
    username: str
    password: str
    url: str
    config: dict[str, Any]
    config_url: str
    qr_svg: str
    mqtt: MqttOut
    mqtt_config: dict[str, Any]
    mqtt_config_url: str
    mqtt_qr_svg: str


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
    config = owntracks.configuration(
        credentials, url, ping_minutes=context.settings.owntracks_ping_minutes
    )
    config_url = owntracks.configuration_url(config)
    # The same credentials over MQTT, OwnTracks' default mode.
    mqtt = mqtt_accounts.mqtt_settings(context.settings)
    topic = mqtt_accounts.add_account(
        session,
        now=now,
        device_id=credentials.device_id,
        username=credentials.username,
        password=credentials.password,
    )
    mqtt_config = mqtt_accounts.owntracks_mqtt_configuration(
        mqtt=mqtt,
        username=credentials.username,
        password=credentials.password,
        ping_minutes=context.settings.owntracks_ping_minutes,
    )
    mqtt_config_url = owntracks.configuration_url(mqtt_config)
    return OwnTracksOut(
        device_id=credentials.device_id,
        username=credentials.username,
        password=credentials.password,
        url=url,
        config=config,
        config_url=config_url,
        qr_svg=qr_svg(config_url),
        mqtt=MqttOut(
            host=mqtt.public_host,
            port=mqtt.public_port,
            username=credentials.username,
            password=credentials.password,
            topic=topic,
        ),
        mqtt_config=mqtt_config,
        mqtt_config_url=mqtt_config_url,
        mqtt_qr_svg=qr_svg(mqtt_config_url),
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
