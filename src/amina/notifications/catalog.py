"""Message texts, from the translation catalogs in `messages/{lang}.json`, never from code.

A notification keeps only its kind and parameters; its title, body and SMS text are rendered
here in the person's language when shown or sent. Parameters named `*_at` are instants and
`*_on` are dates: both are written out in the language, in Moscow time.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import Any

from babel.dates import format_date, format_datetime

from amina.config import LANGUAGES
from amina.rules.calendar import MOSCOW

DEFAULT_LANGUAGE = "ru"


@functools.cache
def catalog(language: str) -> dict[str, str]:
    path = resources.files("amina.notifications") / "messages" / f"{language}.json"
    loaded: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
    return loaded


def supported(language: str | None) -> str:
    return language if language in LANGUAGES else DEFAULT_LANGUAGE


def _format_value(key: str, value: Any, language: str) -> str:
    if key.endswith("_at") and isinstance(value, str):
        instant = datetime.fromisoformat(value)
        return format_datetime(instant, "EEEE d MMMM, HH:mm", tzinfo=MOSCOW, locale=language)
    if key.endswith("_on") and isinstance(value, str):
        return format_date(date.fromisoformat(value), "EEEE d MMMM", locale=language)
    return str(value)


def text(key: str, language: str, params: dict[str, Any] | None = None) -> str | None:
    """The text for `key` in `language` (falling back to Russian), or None if there is none."""
    language = supported(language)
    template = catalog(language).get(key) or catalog(DEFAULT_LANGUAGE).get(key)
    if template is None:
        return None
    values = {name: _format_value(name, value, language) for name, value in (params or {}).items()}
    return template.format(**values)


@dataclass(frozen=True)
class Rendered:
    title: str
    body: str
    sms: str | None


def render(kind: str, language: str, params: dict[str, Any]) -> Rendered:
    title = text(f"{kind}.title", language, params)
    body = text(f"{kind}.body", language, params)
    if title is None or body is None:
        raise KeyError(f"no message for notification kind {kind!r}")
    return Rendered(title, body, text(f"{kind}.sms", language, params))


def json_params(**params: Any) -> dict[str, Any]:
    """Parameters as stored: instants and dates as ISO strings (JSON-safe, renderable later)."""
    stored: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, datetime):
            stored[name] = value.astimezone(MOSCOW).isoformat()
        elif isinstance(value, date):
            stored[name] = value.isoformat()
        else:
            stored[name] = value
    return stored
