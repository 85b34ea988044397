"""The migrant app: `/` (the shell), `/sw.js`, `/manifest.webmanifest` and `/app/...` assets.

All public. The files are package data, read once into memory (the handlers are async: no
thread hop for an in-memory answer). Every response carries a strong
ETag and `Cache-Control: no-cache`, so browsers revalidate cheaply; the service worker does the
offline caching. `/sw.js` starts with the build's hash and its shell URLs, so any change to the
app changes the worker's bytes and phones pick up the new version.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import mimetypes
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable

from fastapi import APIRouter, Request, Response
from starlette.exceptions import HTTPException

from amina.web.security import CONTENT_SECURITY_POLICY

router = APIRouter(include_in_schema=False)

MEDIA_TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".html": "text/html; charset=utf-8",
    ".json": "application/json; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".webmanifest": "application/manifest+json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}
# Fetched on first use, not precached: one language at a time, and the Ed25519 fallback
# library only on phones whose browser lacks WebCrypto Ed25519.
NOT_PRECACHED = ("i18n/", "vendor/", "icons/icon-512.png", "icons/maskable-512.png")


@dataclass(frozen=True)
class Asset:
    body: bytes
    media_type: str
    etag: str
    gzipped: bytes | None  # when it saves bytes: phones on slow mobile data


@dataclass(frozen=True)
class Shell:
    assets: dict[str, Asset]  # by path under /app/
    version: str

    def get(self, path: str) -> Asset:
        asset = self.assets.get(path)
        if asset is None:
            raise HTTPException(404, "no such file")
        return asset


def _walk(folder: Traversable, prefix: str = "") -> dict[str, bytes]:
    files: dict[str, bytes] = {}
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.name == "__pycache__":
            continue
        if entry.is_dir():
            files.update(_walk(entry, f"{prefix}{entry.name}/"))
        else:
            files[f"{prefix}{entry.name}"] = entry.read_bytes()
    return files


def _asset(path: str, body: bytes) -> Asset:
    suffix = "." + path.rsplit(".", 1)[-1] if "." in path else ""
    media_type = MEDIA_TYPES.get(suffix) or mimetypes.guess_type(path)[0]
    etag = hashlib.sha256(body).hexdigest()[:32]
    packed = gzip.compress(body, compresslevel=9, mtime=0)
    return Asset(
        body=body,
        media_type=media_type or "application/octet-stream",
        etag=etag,
        gzipped=packed if len(packed) < len(body) * 0.9 else None,
    )


def _service_worker(files: dict[str, bytes], version: str) -> bytes:
    shell = ["/", "/manifest.webmanifest"] + [
        f"/app/{path}"
        for path in sorted(files)
        if path not in {"index.html", "sw.js", "manifest.webmanifest"}
        and not path.startswith(NOT_PRECACHED)
        and not path.endswith(".txt")
    ]
    build = json.dumps({"version": version, "shell": shell}, separators=(",", ":"))
    return f"const AMINA_BUILD = {build};\n".encode() + files["sw.js"]


@cache
def load_shell() -> Shell:
    files = _walk(resources.files("amina.web") / "static" / "app")
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + files[path] + b"\0")
    version = digest.hexdigest()[:16]
    assets = {path: _asset(path, body) for path, body in files.items()}
    assets["sw.js"] = _asset("sw.js", _service_worker(files, version))
    return Shell(assets=assets, version=version)


def _respond(request: Request, asset: Asset) -> Response:
    use_gzip = asset.gzipped is not None and "gzip" in request.headers.get("accept-encoding", "")
    etag = f'"{asset.etag}-gz"' if use_gzip else f'"{asset.etag}"'
    headers = {
        "ETag": etag,
        "Cache-Control": "no-cache",
        "Content-Security-Policy": CONTENT_SECURITY_POLICY,
        "Vary": "Accept-Encoding",
    }
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if use_gzip:
        headers["Content-Encoding"] = "gzip"
    body = asset.gzipped if use_gzip and asset.gzipped is not None else asset.body
    return Response(content=body, media_type=asset.media_type, headers=headers)


@router.get("/")
async def app_page(request: Request) -> Response:
    return _respond(request, load_shell().get("index.html"))


@router.get("/sw.js")
async def service_worker(request: Request) -> Response:
    response = _respond(request, load_shell().get("sw.js"))
    response.headers["Service-Worker-Allowed"] = "/"
    return response


@router.get("/manifest.webmanifest")
async def manifest(request: Request) -> Response:
    return _respond(request, load_shell().get("manifest.webmanifest"))


@router.get("/app/{path:path}")
async def app_asset(path: str, request: Request) -> Response:
    if path in {"index.html", "sw.js"}:  # served at the root only
        raise HTTPException(404, "no such file")
    return _respond(request, load_shell().get(path))
