"""`create_app(settings)`: the FastAPI application. Nothing here runs at import time."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from amina import __version__
from amina.clock import Clock
from amina.config import Settings
from amina.context import AppContext
from amina.web.background import BackgroundThreads
from amina.web.errors import install_error_handlers
from amina.web.middleware import SafetyMiddleware
from amina.web.routes import (
    auth,
    devices,
    health,
    integrations,
    locations,
    me,
    officer,
    owntracks,
    public,
)
from amina.web.routes.app_shell import router as app_shell_router
from amina.web.routes.connectivity import router as connectivity_router
from amina.web.routes.nudge import router as nudge_router
from amina.web.routes.traccar import router as traccar_router

MAX_BODY_BYTES = 1_000_000  # 500 reports with room to spare


def create_app(
    settings: Settings, *, clock: Clock | None = None, context: AppContext | None = None
) -> FastAPI:
    owns_context = context is None
    context = context or AppContext.from_settings(settings, clock)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        background = BackgroundThreads(context)
        background.start()
        yield
        background.stop()
        if owns_context:  # a context handed in (tests) belongs to whoever made it
            context.close()

    app = FastAPI(
        title="Amina",
        version=__version__,
        summary="Location accounting for foreign workers in Moscow and Moscow Oblast.",
        lifespan=lifespan,
    )
    app.state.context = context
    install_error_handlers(app)
    app.add_middleware(SafetyMiddleware, max_body_bytes=MAX_BODY_BYTES)
    for router in (
        health.router,
        public.router,
        auth.router,
        me.router,
        locations.router,
        devices.router,
        owntracks.router,
        integrations.router,
        officer.router,
    ):
        app.include_router(router)
    app.include_router(connectivity_router)
    app.include_router(traccar_router)
    app.include_router(nudge_router)
    app.include_router(app_shell_router)
    return app


def app_from_environment() -> FastAPI:
    """The factory `amina serve` gives uvicorn: each worker process reads its own settings."""
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    return create_app(settings)
