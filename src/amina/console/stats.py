"""The worker keeps `console_daily_counts`: for the last few Moscow days, every number the
dashboards draw, recomputed from the source tables by index ranges and upserted (idempotent).

A dashboard then reads a few hundred summary rows, whatever the population (issue 11)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from amina.audit.models import AuditEvent
from amina.bulk import insert_rows
from amina.calendar.service import load_calendar
from amina.cases.models import Case, RegistryEntry
from amina.config import Settings
from amina.console.models import DailyCount
from amina.monitoring.models import LocationReport, RejectedReportCount, StepTaken
from amina.notifications.models import Delivery, Notification
from amina.registration.models import Registration
from amina.rules.calendar import moscow_date, moscow_instant
from amina.rules.lifecycle import CaseKind

REFRESH_DAYS = 3


def _count(session: Session, query: object) -> int:
    return int(session.scalar(query) or 0)  # type: ignore[call-overload]


def day_counts(session: Session, day: date, settings: Settings) -> Counter[tuple[str, str]]:
    start, end = moscow_instant(day, time(0)), moscow_instant(day + timedelta(days=1), time(0))
    out: Counter[tuple[str, str]] = Counter()
    out["active", "all"] = _count(
        session,
        select(func.count())
        .select_from(Registration)
        .where(
            Registration.registered_at < end,
            or_(Registration.deregistered_at.is_(None), Registration.deregistered_at >= end),
        ),
    )
    for hour in range(24):
        h0, h1 = start + timedelta(hours=hour), start + timedelta(hours=hour + 1)
        for counted, n in session.execute(
            select(LocationReport.counted, func.count())
            .where(LocationReport.received_at >= h0, LocationReport.received_at < h1)
            .group_by(LocationReport.counted)
        ).all():
            out["reports_hour", f"{hour:02d}"] += n
            out["reports", "counted" if counted else "not_counted"] += n
    for code, n in session.execute(
        select(RejectedReportCount.code, func.sum(RejectedReportCount.count))
        .where(RejectedReportCount.hour >= start, RejectedReportCount.hour < end)
        .group_by(RejectedReportCount.code)
    ).all():
        out["rejected", code] = int(n or 0)
    in_day = (StepTaken.taken_at >= start, StepTaken.taken_at < end, StepTaken.legal_effect)
    for step, n in session.execute(
        select(StepTaken.step, func.count()).where(*in_day).group_by(StepTaken.step)
    ).all():
        out["step", step.value] = n
    for ground, n in session.execute(
        select(Registration.ground, func.count())
        .where(Registration.deregistered_at >= start, Registration.deregistered_at < end)
        .group_by(Registration.ground)
    ).all():
        out["deregistration", ground.value if ground else "none"] = n
    for case in session.scalars(
        select(Case).where(
            Case.kind == CaseKind.REINSTATEMENT_REVIEW,
            Case.closed_at >= start,
            Case.closed_at < end,
        )
    ):
        out["review", case.outcome.value if case.outcome else "none"] += 1
        days = (case.closed_at - case.opened_at).days if case.closed_at else 0
        out["review_days", str(min(days, 60))] += 1
    for channel, status, n in session.execute(
        select(Delivery.channel, Delivery.status, func.count())
        .join(Notification, Notification.id == Delivery.notification_id)
        .where(Notification.created_at >= start, Notification.created_at < end)
        .group_by(Delivery.channel, Delivery.status)
    ).all():
        out["delivery", f"{channel.value}:{status.value}"] = n
    for key, column in (
        ("proposed", RegistryEntry.proposed_at),
        ("decided", RegistryEntry.decided_at),
        ("removed", RegistryEntry.removed_at),
    ):
        out["registry", key] = _count(
            session,
            select(func.count()).select_from(RegistryEntry).where(column >= start, column < end),
        )
    calendar = load_calendar(session, min_available_hours=settings.min_available_hours)
    out["outage", "lost_day"] = int(day in calendar.lost_days)
    for event in session.scalars(
        select(AuditEvent).where(
            and_(AuditEvent.action == "calendar.rescheduled", AuditEvent.at >= start),
            AuditEvent.at < end,
        )
    ):
        out["outage", "protected"] += int(event.data.get("moved", 0))
    return out


def refresh(
    session: Session, *, now: datetime, settings: Settings, days: int = REFRESH_DAYS
) -> int:
    """Recompute the last `days` Moscow days (today included); returns the rows written."""
    today = moscow_date(now)
    written = 0
    for offset in range(days):
        day = today - timedelta(days=offset)
        counts = day_counts(session, day, settings)
        session.execute(delete(DailyCount).where(DailyCount.day == day))
        rows = [
            {"day": day, "metric": m, "key": k, "value": v, "updated_at": now}
            for (m, k), v in counts.items()
        ]
        insert_rows(session, DailyCount, rows)
        written += len(rows)
    return written
