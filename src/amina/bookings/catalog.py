"""The MMC's services as data (`data/services.json`, or `AMINA_BOOKING_SERVICES_PATH`), and the
booking policy built from settings."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import timedelta
from importlib import resources
from pathlib import Path

from amina.config import LANGUAGES, Settings
from amina.errors import InvalidInput
from amina.rules.bookings import BookingPolicy

DEFAULT_LANGUAGE = "ru"


@dataclass(frozen=True)
class Service:
    code: str
    duration_minutes: int
    capacity: int
    names: dict[str, str]
    documents: tuple[dict[str, str], ...]

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names[DEFAULT_LANGUAGE]

    def checklist(self, language: str) -> list[str]:
        return [doc.get(language) or doc[DEFAULT_LANGUAGE] for doc in self.documents]


def _parse(raw: dict[str, object]) -> dict[str, Service]:
    documents: dict[str, dict[str, str]] = raw["documents"]  # type: ignore[assignment]
    services: dict[str, Service] = {}
    for entry in raw["services"]:  # type: ignore[attr-defined]
        missing = set(LANGUAGES) - set(entry["name"])
        if missing:
            raise ValueError(f"service {entry['code']} has no name in {sorted(missing)}")
        if int(entry["capacity"]) < 1:
            raise ValueError(f"service {entry['code']} needs a capacity of at least 1")
        services[entry["code"]] = Service(
            code=entry["code"],
            duration_minutes=int(entry["duration_minutes"]),
            capacity=int(entry["capacity"]),
            names=dict(entry["name"]),
            documents=tuple(documents[key] for key in entry["documents"]),
        )
    return services


@functools.cache
def load_services(path: Path | None) -> dict[str, Service]:
    if path is None:
        text = (resources.files("amina.bookings") / "data" / "services.json").read_text("utf-8")
    else:
        text = path.read_text("utf-8")
    return _parse(json.loads(text))


def services_of(settings: Settings) -> dict[str, Service]:
    return load_services(settings.booking_services_path)


def service_of(settings: Settings, code: str) -> Service:
    service = services_of(settings).get(code)
    if service is None:
        raise InvalidInput(f"no service {code!r}", code="unknown_service")
    return service


def booking_policy(settings: Settings) -> BookingPolicy:
    return BookingPolicy(
        opens_at=settings.booking_opens_at,
        closes_at=settings.booking_closes_at,
        slot_minutes=settings.booking_slot_minutes,
        days_ahead=settings.booking_days_ahead,
        closed_on_days_off=settings.booking_closed_on_days_off,
        max_active=settings.booking_max_active,
        no_show_after=timedelta(minutes=settings.booking_no_show_after_min),
        day_before_at=settings.booking_day_before_at,
        soon_before=timedelta(minutes=settings.booking_soon_before_min),
    )
