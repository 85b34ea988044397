"""The API documentation: `/openapi.json`, Swagger UI at `/docs`, ReDoc at `/redoc`.

Both viewers are vendored from npm (`static/docs/vendor/`, versions and checksums in
`vendor.json`), so they render on a closed network: no CDN, no external fonts. The pages carry
no inline script; the start-up code is in `static/docs/*.js`.

`AMINA_API_DOCS` decides who may read them: everyone (development), an officer with a bearer
token (`officer`), or nobody (`off`, the default in production: a 404, as if they did not exist).
"""

from __future__ import annotations

import gzip
import hashlib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import HTMLResponse, JSONResponse
from starlette.exceptions import HTTPException

from amina.officers import service as officers
from amina.web.deps import ContextDep, NowDep, SessionDep, bearer_token

router = APIRouter(include_in_schema=False)

# ReDoc's styled-components and Swagger UI's React write <style> elements and style attributes,
# so these pages (and only these: they show no personal data) allow inline styles. Scripts stay
# strictly same-origin files. ReDoc's search runs in a worker it builds from a blob.
DOCS_CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",  # Swagger UI's and ReDoc's icon fonts are inlined
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)
MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml",
}

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>Amina API · {viewer}</title>
{styles}
</head><body>
{mount}
{scripts}
</body></html>
"""


@dataclass(frozen=True)
class DocsFile:
    body: bytes
    gzipped: bytes
    media_type: str
    etag: str


@cache
def docs_file(path: str) -> DocsFile:
    folder = resources.files("amina.web") / "static" / "docs"
    entry = folder
    for part in path.split("/"):
        if part in {"", ".", ".."}:
            raise HTTPException(404, "no such file")
        entry = entry / part
    suffix = "." + path.rsplit(".", 1)[-1]
    if suffix not in MEDIA_TYPES or not entry.is_file():
        raise HTTPException(404, "no such file")
    body = entry.read_bytes()
    return DocsFile(
        body=body,
        gzipped=gzip.compress(body, compresslevel=6, mtime=0),
        media_type=MEDIA_TYPES[suffix],
        etag=f'"{hashlib.sha256(body).hexdigest()[:32]}"',
    )


def docs_allowed(request: Request, session: SessionDep, context: ContextDep, now: NowDep) -> None:
    mode = context.settings.effective_api_docs
    if mode == "public":
        return
    if mode == "off":
        raise HTTPException(404, "Not Found")
    officers.authenticate(session, now=now, keys=context.keys, bearer=bearer_token(request))


DocsAllowed = Annotated[None, Depends(docs_allowed)]


def _page(viewer: str, mount: str, styles: list[str], scripts: list[str]) -> HTMLResponse:
    links = "\n".join(f'<link rel="stylesheet" href="/docs/static/{href}">' for href in styles)
    tags = "\n".join(
        f'<script type="module" src="/docs/static/{src}"></script>'
        if src.startswith("redoc")  # ReDoc 3 is an ES module
        else f'<script src="/docs/static/{src}"></script>'
        for src in scripts
    )
    html = _PAGE.format(viewer=viewer, mount=mount, styles=links, scripts=tags)
    return HTMLResponse(
        html, headers={"Content-Security-Policy": DOCS_CSP, "Cache-Control": "no-store"}
    )


@router.get("/openapi.json")
def openapi_document(request: Request, _allowed: DocsAllowed) -> JSONResponse:
    app: FastAPI = request.app
    return JSONResponse(app.openapi(), headers={"Cache-Control": "no-store"})


@router.get("/docs")
def swagger_ui(_allowed: DocsAllowed) -> HTMLResponse:
    return _page(
        "Swagger UI",
        '<div id="swagger-ui"></div>',
        ["vendor/swagger-ui.css", "docs.css"],
        ["vendor/swagger-ui-bundle.js", "swagger-init.js"],
    )


@router.get("/redoc")
def redoc(_allowed: DocsAllowed) -> HTMLResponse:
    return _page(
        "ReDoc",
        '<div id="redoc"></div>',
        ["docs.css"],
        ["redoc-init.js"],
    )


@router.get("/docs/static/{path:path}")
async def docs_static(path: str, request: Request) -> Response:
    # The viewers are public code from npm; only the document they show is guarded.
    asset = docs_file(path)
    headers = {"ETag": asset.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if asset.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(asset.gzipped, media_type=asset.media_type, headers=headers)
    return Response(asset.body, media_type=asset.media_type, headers=headers)
