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
from amina.web import gil, heap, request_log
from amina.web.background import BackgroundThreads
from amina.web.console import install as install_console
from amina.web.errors import install_error_handlers
from amina.web.fastlane import AminaApp
from amina.web.middleware import SafetyMiddleware, always_headers
from amina.web.routes import (
    api_docs,
    auth,
    bookings,
    devices,
    health,
    integrations,
    locations,
    me,
    officer,
    officer_registry,
    owntracks,
    patents,
    public,
    verify,
)
from amina.web.routes.app_shell import router as app_shell_router
from amina.web.routes.connectivity import router as connectivity_router
from amina.web.routes.districts import router as districts_router
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
        request_log.stop()  # flushes the queued request lines (a no-op if never started)
        if owns_context:  # a context handed in (tests) belongs to whoever made it
            context.close()

    app = AminaApp(
        title="Amina",
        version=__version__,
        summary="Location accounting for foreign workers in Moscow and Moscow Oblast.",
        lifespan=lifespan,
        docs_url=None,  # served by routes/api_docs.py: vendored viewers, AMINA_API_DOCS
        redoc_url=None,
        openapi_url=None,
    )
    app.state.context = context
    install_error_handlers(app)
    hsts_max_age_s = settings.hsts_max_age_s if settings.is_production else None
    app.add_middleware(
        SafetyMiddleware, max_body_bytes=MAX_BODY_BYTES, hsts_max_age_s=hsts_max_age_s
    )
    # The two intake routes, answered in front of the stack (same functions, same answers).
    app.add_lanes(
        {"/api/v1/me/locations": locations.lane, "/owntracks/pub": owntracks.lane},
        always=always_headers(hsts_max_age_s),
        max_body_bytes=MAX_BODY_BYTES,
    )
    for router in (
        health.router,
        public.router,
        verify.router,
        auth.router,
        me.router,
        locations.router,
        devices.router,
        owntracks.router,
        integrations.router,
        officer.router,
        officer_registry.router,
        bookings.router,
        bookings.officer_router,
    ):
        app.include_router(router)
    install_console(app)
    app.include_router(connectivity_router)
    app.include_router(districts_router)
    app.include_router(traccar_router)
    app.include_router(nudge_router)
    app.include_router(patents.router)
    app.include_router(app_shell_router)
    app.include_router(api_docs.router)
    return app


def app_from_environment() -> FastAPI:
    """The factory `amina serve` gives uvicorn: each worker process reads its own settings."""
    settings = Settings()
    logging.basicConfig(level=settings.log_level, format=request_log.FORMAT)
    request_log.start(settings.log_level)
    app = create_app(settings)
    gil.set_switch_interval(settings.gil_switch_interval_ms)
    if heap.settle(settings.gc_young_threshold):  # last: what the built app holds is frozen
        heap.settle_again_later(settings.gc_settle_again_after_s)
    return app
