"""Public routes: the app's configuration and the proof-of-registration check."""

from __future__ import annotations

import html
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from amina.config import LANGUAGES
from amina.notifications.catalog import DEFAULT_LANGUAGE
from amina.notifications.vapid import vapid_keys
from amina.people.models import Person
from amina.registration import proof
from amina.registration.models import Registration
from amina.rules.calendar import MOSCOW
from amina.rules.lifecycle import RegistrationStatus
from amina.schemas import ApiModel
from amina.web.deps import ContextDep, NowDep, SessionDep
from amina.web.security import policy_with_style

router = APIRouter(tags=["public"])


class ConfigOut(ApiModel):
    languages: list[str]
    default_language: str
    mmc_address: str
    consent_version: str
    vapid_public_key: str | None
    report_interval_s: int
    max_reports_per_batch: int


@router.get("/api/v1/config", response_model=ConfigOut, summary="What the app needs to start")
def config(session: SessionDep, context: ContextDep, now: NowDep) -> ConfigOut:
    settings = context.settings
    return ConfigOut(
        languages=list(LANGUAGES),
        default_language=DEFAULT_LANGUAGE,
        mmc_address=settings.mmc_address,
        consent_version=settings.consent_version,
        vapid_public_key=vapid_keys(session, now=now).public_key,
        report_interval_s=settings.report_interval_s,
        max_reports_per_batch=settings.max_reports_per_batch,
    )


class VerificationOut(ApiModel):
    valid: bool
    status: str
    holder: str
    citizenship: str
    birth_year: int
    registered_at: str
    deregistered_at: str | None
    address: str
    checked_at: str


def _holder(person: Person) -> str:
    initials = " ".join(f"{name[0]}." for name in person.given_names.split() if name)
    return f"{person.surname} {initials}".strip()


def _moscow(instant: datetime | None) -> str | None:
    return instant.astimezone(MOSCOW).strftime("%d.%m.%Y %H:%M") if instant else None


@router.get(
    "/verify/{token}",
    summary="Check a proof of registration (HTML page; JSON with Accept: application/json)",
    responses={
        200: {"model": VerificationOut, "content": {"text/html": {}}},
        404: {"description": "Not a genuine proof"},
    },
)
def verify(
    token: str, request: Request, session: SessionDep, context: ContextDep, now: NowDep
) -> Response:
    wants_json = "application/json" in request.headers.get("accept", "")
    claims = proof.read(context.keys, token) if len(token) < 2000 else None
    registration = session.get(Registration, claims.registration_id) if claims else None
    person = session.get(Person, registration.person_id) if registration else None
    if registration is None or person is None:
        if wants_json:
            return JSONResponse(
                {"error": {"code": "not_a_proof", "message": "this is not a genuine proof"}},
                status_code=404,
            )
        return _page(
            "Не подтверждено · Not confirmed",
            "Это не подлинное подтверждение регистрации. "
            "This is not a genuine proof of registration.",
            False,
            404,
        )
    result = VerificationOut(
        valid=registration.status is RegistrationStatus.ACTIVE,
        status=registration.status.value,
        holder=_holder(person),
        citizenship=person.citizenship,
        birth_year=person.birth_date.year,
        registered_at=_moscow(registration.registered_at) or "",
        deregistered_at=_moscow(registration.deregistered_at),
        address=registration.address,
        checked_at=_moscow(now) or "",
    )
    if wants_json:
        return JSONResponse(result.model_dump())
    return _page(*_describe(result), result.valid)


def _describe(result: VerificationOut) -> tuple[str, str]:
    who = (
        f"{html.escape(result.holder)}, {html.escape(result.citizenship)}, "
        f"{result.birth_year} г.р. / born {result.birth_year}"
    )
    if result.valid:
        return (
            "Учёт действует · Registration active",
            f"{who}<br>Состоит на миграционном учёте по адресу ММЦ с {result.registered_at}. "
            f"Registered at the MMC address since {result.registered_at}.<br>"
            f"{html.escape(result.address)}<br>Проверено / checked {result.checked_at} (МСК)",
        )
    return (
        "Учёт прекращён · Registration ended",
        f"{who}<br>Снят с учёта {result.deregistered_at}. "
        f"Deregistered on {result.deregistered_at}.<br>"
        f"Проверено / checked {result.checked_at} (МСК)",
    )


def _style(valid: bool) -> str:
    colour = "#0a7d32" if valid else "#b3261e"
    return (
        "body{font-family:system-ui,sans-serif;margin:0;padding:1.5rem;max-width:36rem}\n"
        f"h1{{color:{colour};font-size:1.5rem}}p{{font-size:1.1rem;line-height:1.5}}"
    )


def _page(title: str, body: str, valid: bool, status_code: int = 200) -> HTMLResponse:
    """The page, under the default CSP plus the hash of its one inline style block."""
    page = f"""<!doctype html>
<html lang="ru"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Амина · {html.escape(title)}</title>
<style>{_style(valid)}</style></head>
<body><h1>{html.escape(title)}</h1><p>{body}</p></body></html>"""
    policy = policy_with_style(_style(valid))
    return HTMLResponse(page, status_code, headers={"Content-Security-Policy": policy})
