"""`/verify/{token}`: the public check of a proof of registration (rules.md §3, issue 10).

A branded page in the 11 languages (`?lang=` or Accept-Language), under a strict CSP: no
script at all, one same-origin stylesheet. It says "valid" or "not valid" in large type, the
name as on the card, the masked document, since when the person is registered, and when it was
checked; nothing more (no address, no coordinates). `Accept: application/json` gets the same
facts as JSON.
"""

from __future__ import annotations

import html
import json
from functools import cache
from importlib import resources
from typing import Any

from babel.dates import format_datetime
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from amina.config import LANGUAGES
from amina.registration import proofs
from amina.rules.calendar import MOSCOW
from amina.schemas import ApiModel, moscow_rfc3339
from amina.web.deps import ContextDep, NowDep, SessionDep

router = APIRouter(tags=["public"])

VERIFY_CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; base-uri 'none'; "
    "form-action 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": VERIFY_CSP,
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
}


class VerificationOut(ApiModel):
    valid: bool
    status: str  # valid | revoked | deregistered | expired
    holder: str
    document: str
    citizenship: str
    birth_year: int
    registered_at: str
    deregistered_at: str | None
    address: str  # the MMC's address, where everyone is registered: not the person's
    checked_at: str


@cache
def catalog() -> dict[str, dict[str, str]]:
    raw = (resources.files("amina.web") / "static" / "verify" / "catalog.json").read_text("utf-8")
    return dict(json.loads(raw))


@cache
def stylesheet() -> bytes:
    return (resources.files("amina.web") / "static" / "verify" / "verify.css").read_bytes()


def pick_language(asked: str | None, accept_language: str) -> str:
    if asked in LANGUAGES:
        return asked
    weighted: list[tuple[float, str]] = []
    for part in accept_language.split(","):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        primary = tag.strip().lower().split("-")[0]
        if primary in LANGUAGES and quality > 0:
            weighted.append((quality, primary))
    return max(weighted, key=lambda item: item[0])[1] if weighted else "ru"


@router.get("/verify.css", include_in_schema=False)
async def verify_css() -> Response:
    return Response(
        stylesheet(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600"},
    )


@router.get(
    "/verify/{token}",
    summary="Check a proof of registration (HTML page; JSON with Accept: application/json)",
    responses={
        200: {"model": VerificationOut, "content": {"text/html": {}}},
        404: {"description": "Not a genuine proof"},
    },
)
def verify(
    token: str,
    request: Request,
    session: SessionDep,
    context: ContextDep,
    now: NowDep,
    lang: str | None = None,
) -> Response:
    wants_json = "application/json" in request.headers.get("accept", "")
    language = pick_language(lang, request.headers.get("accept-language", ""))
    text = catalog()[language]
    checked = proofs.check(session, keys=context.keys, token=token, now=now)
    if checked is None:
        if wants_json:
            return JSONResponse(
                {"error": {"code": "not_a_proof", "message": "this is not a genuine proof"}},
                status_code=404,
                headers=HEADERS,
            )
        body = f'<p class="verdict bad">{_e(text["not_valid"])}</p><p>{_e(text["not_a_proof"])}</p>'
        return HTMLResponse(_page(text, language, token, body), 404, headers=HEADERS)
    registration, person = checked.registration, checked.person
    if wants_json:
        result = VerificationOut(
            valid=checked.valid,
            status=checked.outcome.value,
            holder=f"{person.surname} {person.given_names}",
            document=checked.document,
            citizenship=person.citizenship,
            birth_year=person.birth_date.year,
            registered_at=moscow_rfc3339(registration.registered_at),
            deregistered_at=(
                moscow_rfc3339(registration.deregistered_at)
                if registration.deregistered_at
                else None
            ),
            address=registration.address,
            checked_at=moscow_rfc3339(now),
        )
        return JSONResponse(result.model_dump(), headers=HEADERS)
    when = {
        "since": _when(registration.registered_at, language),
        "checked": _when(now, language),
        "ended": _when(registration.deregistered_at, language)
        if registration.deregistered_at
        else "",
    }
    notes = {
        proofs.Outcome.VALID: text["valid_note"],
        proofs.Outcome.REVOKED: text["revoked"],
        proofs.Outcome.DEREGISTERED: text["deregistered"].replace("{date}", when["ended"]),
        proofs.Outcome.EXPIRED: text["expired"],
    }
    verdict = "ok" if checked.valid else "bad"
    body = (
        f'<p class="verdict {verdict}">{_e(text["valid" if checked.valid else "not_valid"])}</p>'
        f'<p class="note">{_e(notes[checked.outcome])}</p>'
        "<dl>"
        f"<dt>{_e(text['name'])}</dt><dd>{_e(person.surname)} {_e(person.given_names)}</dd>"
        f'<dt>{_e(text["document"])}</dt><dd dir="ltr">{_e(checked.document)}</dd>'
        f"<dt>{_e(text['registered_since'])}</dt><dd>{_e(when['since'])}</dd>"
        f"<dt>{_e(text['checked_at'])}</dt><dd>{_e(when['checked'])}</dd>"
        "</dl>"
    )
    return HTMLResponse(_page(text, language, token, body), headers=HEADERS)


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _when(instant: Any, language: str) -> str:
    local = format_datetime(instant, "d MMMM y, HH:mm", tzinfo=MOSCOW, locale=language)
    return f"{local} (UTC+3)"


def _page(text: dict[str, str], language: str, token: str, body: str) -> str:
    current = ' aria-current="true"'
    links = "".join(
        f'<li><a href="/verify/{_e(token)}?lang={code}" lang="{code}" hreflang="{code}"'
        f"{current if code == language else ''}>"
        f"{_e(catalog()[code]['lang_name'])}</a></li>"
        for code in LANGUAGES
    )
    return f"""<!doctype html>
<html lang="{language}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>{_e(text["title"])} · Amina</title>
<link rel="stylesheet" href="/verify.css">
</head><body>
<header><p>Amina</p></header>
<main><h1>{_e(text["title"])}</h1>
<section class="card" aria-live="polite">{body}</section>
<nav aria-label="{_e(text["language"])}"><h2>{_e(text["language"])}</h2><ul>{links}</ul></nav>
</main>
<footer><p>{_e(text["footer"])}</p></footer>
</body></html>
"""
