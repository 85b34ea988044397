"""Rate limits kept in the database, so every API process shares them."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from amina.auth.models import RateLimitHit
from amina.errors import RateLimited


def count(session: Session, bucket: str, *, since: datetime) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(RateLimitHit)
            .where(RateLimitHit.bucket == bucket, RateLimitHit.at > since)
        )
        or 0
    )


def check(
    session: Session, bucket: str, *, now: datetime, limit: int, window: timedelta, code: str
) -> None:
    """Refuse with 429 if `bucket` already has `limit` hits within `window`."""
    if count(session, bucket, since=now - window) >= limit:
        raise RateLimited(
            "too many attempts; try again later",
            code=code,
            retry_after_s=int(window.total_seconds()),
        )


def hit(session: Session, bucket: str, *, now: datetime) -> None:
    session.add(RateLimitHit(bucket=bucket, at=now))
