"""Public routes: the app's configuration (the proof check is in routes/verify.py)."""

from __future__ import annotations

from fastapi import APIRouter

from amina.config import LANGUAGES
from amina.notifications.catalog import DEFAULT_LANGUAGE
from amina.notifications.vapid import vapid_keys
from amina.schemas import ApiModel
from amina.web.deps import ContextDep, NowDep, SessionDep

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
