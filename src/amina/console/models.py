"""Summary tables the worker keeps for the dashboards, so no dashboard scans the raw tables."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime


class DailyCount(Base):
    """One number per (Moscow day, metric, key): e.g. (2026-11-20, "step", "reminder") → 412.

    The worker recomputes the last few days from the source tables (idempotent upserts), so a
    dashboard reads a few hundred rows whatever the population."""

    __tablename__ = "console_daily_counts"

    day: Mapped[date] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
