"""The intake's own availability: a heartbeat per minute from every API process, and outages
detected from the gaps between them (rules.md §4: outages never count against people).

Detection is stateless over a look-back window, so running it twice records nothing twice: a gap
is identified by its first missing minute, and an outage still going on is extended each run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from amina.audit.service import Actor
from amina.calendar.models import Outage, OutageSource
from amina.calendar.service import add_outage
from amina.db import insert_ignoring_conflict
from amina.monitoring.models import ServiceHeartbeat

MINUTE = timedelta(minutes=1)
LOOKBACK = timedelta(days=2)
DETECTOR = Actor.system("outage-detection")


def minute_of(now: datetime) -> datetime:
    return now.replace(second=0, microsecond=0)


def beat(session: Session, *, now: datetime) -> None:
    """Record that the intake is up during this minute (several processes: one row)."""
    insert_ignoring_conflict(session, ServiceHeartbeat, {"minute": minute_of(now)}, ["minute"])


@dataclass(frozen=True)
class Gap:
    starts_at: datetime
    ends_at: datetime


def gaps(minutes: list[datetime], *, now: datetime, min_gap: timedelta) -> list[Gap]:
    """Gaps longer than `min_gap` between heartbeat minutes, and one still open at `now`."""
    found = [Gap(a + MINUTE, b) for a, b in pairwise(minutes) if b - a > min_gap]
    if minutes and now - (minutes[-1] + MINUTE) > min_gap:
        found.append(Gap(minutes[-1] + MINUTE, now))
    return found


def detect_outages(session: Session, *, now: datetime, min_gap: timedelta) -> list[Outage]:
    """Record (or extend) detected outages; return those that changed."""
    minutes = list(
        session.scalars(
            select(ServiceHeartbeat.minute)
            .where(ServiceHeartbeat.minute >= now - LOOKBACK, ServiceHeartbeat.minute <= now)
            .order_by(ServiceHeartbeat.minute)
        )
    )
    changed: list[Outage] = []
    for gap in gaps(minutes, now=now, min_gap=min_gap):
        known = session.scalar(
            select(Outage).where(
                Outage.source == OutageSource.DETECTED, Outage.starts_at == gap.starts_at
            )
        )
        if known is None:
            changed.append(
                add_outage(
                    session,
                    now=now,
                    actor=DETECTOR,
                    starts_at=gap.starts_at,
                    ends_at=gap.ends_at,
                    reason="report intake unavailable (detected)",
                    source=OutageSource.DETECTED,
                )
            )
        elif known.ends_at < gap.ends_at:
            known.ends_at = gap.ends_at
            changed.append(known)
    return changed
