"""Liveness and readiness: public, and free of personal data."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from amina import __version__
from amina.web.deps import ReadSessionDep

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    database: str
    version: str


@router.get("/api/v1/health", response_model=Health, summary="Service and database health")
def health(session: ReadSessionDep) -> Health:
    session.execute(text("SELECT 1"))
    return Health(status="ok", database="ok", version=__version__)
