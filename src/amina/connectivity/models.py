"""A connectivity outage: an area and a time window in which phones there could not report."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from amina.db import Base, JsonDocument, UtcDateTime, enum_column, new_id


class DeclaredBy(StrEnum):
    OFFICER = "officer"
    OPERATOR = "operator"
    INTEGRATION = "integration"


class ConnectivityOutage(Base):
    """Kept apart from the intake's own service outages (calendar.outages): those apply to
    everyone, these only to the people whose last report lies in the area."""

    __tablename__ = "connectivity_outages"
    __table_args__ = (
        UniqueConstraint("source", "source_ref"),
        Index("ix_connectivity_outages_ends_at", "ends_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    source: Mapped[str] = mapped_column(String(100))
    source_ref: Mapped[str] = mapped_column(String(200))
    declared_by: Mapped[DeclaredBy] = mapped_column(enum_column(DeclaredBy))
    area: Mapped[dict[str, Any]] = mapped_column(JsonDocument)  # a GeoJSON geometry
    district: Mapped[str | None] = mapped_column(String(100))
    # The area's bounding box, to skip it cheaply for reports far away.
    min_lat: Mapped[float] = mapped_column(Float)
    min_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("officers.id"))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
