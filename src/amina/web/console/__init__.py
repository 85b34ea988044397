"""The officer console at /console (issue 11): server-rendered pages, small JS modules, and
vendored Leaflet and uPlot. `install(app)` adds its routes, static files and error pages."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def install(app: FastAPI) -> None:
    from amina.web.console import auth_routes, dash_routes, people_routes, work_routes
    from amina.web.console.errors import install_console_errors
    from amina.web.routes import officer_reads

    for router in (
        auth_routes.router,
        people_routes.router,
        work_routes.router,
        dash_routes.router,
        officer_reads.router,
        officer_reads.me_router,
    ):
        app.include_router(router)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    install_console_errors(app)
