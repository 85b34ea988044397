"""District boundaries, the district each person is placed in, and the placement's progress."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime


class DistrictArea(Base):
    """One police district: its code, its name and its outline (a GeoJSON geometry).

    Loaded by `amina districts load`; while this table is empty, the police scope is off."""

    __tablename__ = "districts"

    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    geometry: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    loaded_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PersonDistrict(Base):
    """Where a person is, by district: their residence's and their last known location's.

    Kept by the worker (the last counted fix) and at a residence change, so that a police
    officer's search and queues filter by an index, whatever the population."""

    __tablename__ = "person_districts"
    __table_args__ = (
        Index("ix_person_districts_residence", "residence_district"),
        Index("ix_person_districts_last_known", "last_known_district"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("persons.id"), primary_key=True)
    residence_district: Mapped[str | None] = mapped_column(String(64))
    last_known_district: Mapped[str | None] = mapped_column(String(64))
    # The recorded time of the fix that placed last_known_district: only a later one moves it.
    last_known_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class DistrictProgress(Base):
    """How far the worker has read location reports (by id) to place people (one row)."""

    __tablename__ = "district_progress"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_report_id: Mapped[int] = mapped_column(BigInteger, default=0)
    # After a load: every monitoring state is placed once, in person_id order, after this id.
    backfilling: Mapped[bool] = mapped_column(default=False)
    backfill_after: Mapped[uuid.UUID | None]
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
