"""Jinja2 rendering for the console: ru and en texts from JSON catalogs (the app's mechanism:
flat key → text with {placeholders}, English as the fallback), autoescaping, and a strict CSP
(no inline script or style: every script is a module file, data travels in JSON blocks)."""

from __future__ import annotations

import json
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from amina.officers.permissions import allowed
from amina.rules.calendar import MOSCOW

HERE = Path(__file__).parent
LANGUAGES = ("ru", "en")
LANG_COOKIE = "amina_console_lang"


@cache
def catalog(language: str) -> dict[str, str]:
    path = HERE / "i18n" / f"{language}.json"
    data: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return data


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANG_COOKIE)
    return chosen if chosen in LANGUAGES else "ru"


def translate(language: str, key: str, **params: Any) -> str:
    text = catalog(language).get(key) or catalog("en").get(key) or key
    return text.format(**params) if params else text


def moscow(value: datetime | None, with_time: bool = True) -> str:
    if value is None:
        return "—"
    local = value.astimezone(MOSCOW)
    return local.strftime("%d.%m.%Y %H:%M" if with_time else "%d.%m.%Y")


def day(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "—"


def _dumps(value: Any) -> str:
    return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()


@cache
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["moscow"] = moscow
    env.filters["day"] = day
    # `tojson` (the map's 2,880 points, the charts) through orjson; jinja still HTML-escapes.
    env.policies["json.dumps_function"] = _dumps
    env.policies["json.dumps_kwargs"] = {}
    return env


def csp(tile_url: str | None) -> str:
    images = "'self' data:"
    if tile_url:
        parts = urlsplit(tile_url.replace("{s}", "a"))
        if parts.scheme in {"http", "https"} and parts.netloc:
            images += f" {parts.scheme}://{parts.netloc.replace('a.', '*.', 1)}"
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def render(request: Request, template: str, status_code: int = 200, **values: Any) -> HTMLResponse:
    language = language_of(request)
    settings = request.app.state.context.settings

    def t(key: str, **params: Any) -> str:
        return translate(language, key, **params)

    officer = values.get("officer")

    def can(action: str) -> bool:
        return officer is not None and allowed(officer.role, action)

    html = (
        environment()
        .get_template(template)
        .render(t=t, can=can, lang=language, request=request, path=request.url.path, **values)
    )
    return HTMLResponse(
        html,
        status_code=status_code,
        headers={
            "Content-Security-Policy": csp(settings.map_tile_url),
            "Cache-Control": "no-store",
        },
    )
