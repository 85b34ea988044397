"""Location reports, the per-person monitoring state, check-ins and daily presence."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, UtcDateTime, enum_column, new_id
from amina.rules.deadlines import Step
from amina.rules.territory import Placement


class MonitoringSource(StrEnum):
    REPORT = "report"
    CHECKIN = "checkin"
    # An officer annulled a no_geolocation deregistration: the count restarts from the decision.
    REINSTATEMENT = "reinstatement"


class MonitoringState(Base):
    """One row per person: the last monitoring instant and the next step that is due.

    Each accepted report moves this single row by primary key; the sweep reads only rows whose
    `next_step_at` has come (a partial index), so its cost follows what is due, not the population.
    """

    __tablename__ = "monitoring_states"
    __table_args__ = (
        Index(
            "ix_monitoring_states_due",
            "next_step_at",
            sqlite_where=text("next_step_at IS NOT NULL"),
            postgresql_where=text("next_step_at IS NOT NULL"),
        ),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    registration_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("registrations.id"))
    last_monitoring_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_monitoring_source: Mapped[MonitoringSource | None] = mapped_column(
        enum_column(MonitoringSource)
    )
    # The last step taken for the current last monitoring instant (null: none yet).
    last_step: Mapped[Step | None] = mapped_column(enum_column(Step))
    next_step: Mapped[Step | None] = mapped_column(enum_column(Step))
    next_step_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class StepTaken(Base):
    """Each monitoring step, once per (person, last monitoring instant): the idempotency key."""

    __tablename__ = "monitoring_steps"
    __table_args__ = (UniqueConstraint("person_id", "last_monitoring_at", "step"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    registration_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("registrations.id"))
    last_monitoring_at: Mapped[datetime] = mapped_column(UtcDateTime)
    step: Mapped[Step] = mapped_column(enum_column(Step))
    due_at: Mapped[datetime] = mapped_column(UtcDateTime)
    taken_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # False in test mode, or when the person was no longer required: recorded, no legal effect.
    legal_effect: Mapped[bool] = mapped_column(default=True)


class ReportSource(StrEnum):
    GPS = "gps"
    NETWORK = "network"
    FUSED = "fused"
    MANUAL = "manual"
    OWNTRACKS = "owntracks"


class LocationReport(Base):
    """On PostgreSQL a table partitioned by Moscow day of `recorded_at` (monitoring/partitions.py):
    its primary key there is (id, recorded_at), since every unique key must hold the partition
    key. The dedupe key holds `recorded_at` on both databases: a resend carries the same signed
    instant, so it is still the same row (docs/performance.md, "Partitioned reports")."""

    __tablename__ = "location_reports"
    __table_args__ = (
        UniqueConstraint("device_id", "client_id", "recorded_at"),
        Index("ix_location_reports_person_recorded", "person_id", "recorded_at"),
        Index("ix_location_reports_received", "received_at"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    # No foreign keys on device_id and person_id (revision 1405): half an insert's cost in
    # PostgreSQL, and the intake has read and locked what they would check in the same
    # transaction; devices and persons are never deleted.
    device_id: Mapped[uuid.UUID]
    # The id the device chose (or derived from OwnTracks' tst): a resend is a duplicate.
    client_id: Mapped[uuid.UUID]
    person_id: Mapped[uuid.UUID]
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    accuracy_m: Mapped[float | None] = mapped_column(Float)
    source: Mapped[ReportSource] = mapped_column(enum_column(ReportSource))
    mock: Mapped[bool] = mapped_column(default=False)
    heartbeat: Mapped[bool] = mapped_column(default=False)
    placement: Mapped[Placement | None] = mapped_column(enum_column(Placement))
    impossible_speed: Mapped[bool] = mapped_column(default=False)
    # Whether it moved the last monitoring instant when it arrived.
    counted: Mapped[bool] = mapped_column(default=False)


class RejectedReportCount(Base):
    """How many reports the intake refused, by UTC hour and code (for the console's dashboard;
    the refused reports themselves are not kept). Several shards per (hour, code), so that
    writers of different processes and threads do not queue on one counter row."""

    __tablename__ = "report_rejections"

    hour: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    shard: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger, default=0)


class Checkin(Base):
    """An in-person check-in at the MMC or a police station; it counts as monitoring."""

    __tablename__ = "checkins"
    __table_args__ = (Index("ix_checkins_person_at", "person_id", "at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"))
    officer_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    place: Mapped[str | None] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(UtcDateTime)


class DailyPresence(Base):
    """What retention keeps of raw reports: one row per person and Moscow date."""

    __tablename__ = "daily_presence"

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    had_report: Mapped[bool] = mapped_column(default=False)
    # True: some report inside the territory; False: only outside; None: no fix (heartbeats,
    # or only reports within the uncertain band).
    inside_territory: Mapped[bool | None]
    reports: Mapped[int] = mapped_column(Integer, default=0)


class ReportPartitionFold(Base):
    """A day partition of `location_reports` folded into daily presence (PostgreSQL): written in
    the fold's transaction, so a re-run after a crash before the drop never folds it twice."""

    __tablename__ = "report_partition_folds"

    day: Mapped[date] = mapped_column(primary_key=True)
    reports: Mapped[int] = mapped_column(BigInteger)
    folded_at: Mapped[datetime] = mapped_column(UtcDateTime)
    dropped_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class ServiceHeartbeat(Base):
    """The intake was up during this minute. Gaps between minutes reveal outages."""

    __tablename__ = "service_heartbeats"

    minute: Mapped[datetime] = mapped_column(UtcDateTime, primary_key=True)
