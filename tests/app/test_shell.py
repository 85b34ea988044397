"""Serving the migrant app: the shell, the service worker, the manifest, assets and headers."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "amina" / "web" / "static" / "app" / "vendor" / "noble-ed25519.js"


def build_info(client: TestClient) -> dict[str, object]:
    source = client.get("/sw.js").text
    match = re.match(r"const AMINA_BUILD = (\{.*?\});\n", source)
    assert match, source[:200]
    return dict(json.loads(match.group(1)))


def test_the_app_page_has_a_strict_content_security_policy(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert '<script type="module" src="/app/js/main.js">' in response.text
    assert not re.search(r"<script>(?!</script>)", response.text), "no inline scripts"


def test_shell_responses_are_revalidated_by_etag(client: TestClient) -> None:
    first = client.get("/app/js/main.js")
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["content-type"].startswith("text/javascript")
    again = client.get("/app/js/main.js", headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_text_assets_are_gzipped_for_clients_that_accept_it(client: TestClient) -> None:
    response = client.get("/app/app.css", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers.get("content-encoding") == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert response.text.startswith("/*")  # the client decodes it


def test_the_service_worker_lives_at_the_root_and_names_its_build(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    info = build_info(client)
    assert re.fullmatch(r"[0-9a-f]{16}", str(info["version"]))
    shell = info["shell"]
    assert isinstance(shell, list)
    assert "/" in shell and "/app/js/main.js" in shell and "/app/app.css" in shell
    assert not [url for url in shell if "/i18n/" in url or "/vendor/" in url]
    for url in shell:
        assert client.get(url).status_code == 200, url


def test_the_manifest_makes_an_installable_app(client: TestClient) -> None:
    response = client.get("/manifest.webmanifest")
    assert response.headers["content-type"].startswith("application/manifest+json")
    manifest = response.json()
    assert manifest["display"] == "standalone"
    assert manifest["scope"] == "/"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


@pytest.mark.parametrize("path", ["/app/nothing.js", "/app/index.html", "/app/sw.js", "/app/../x"])
def test_unknown_assets_are_json_404s(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_every_catalog_is_served(client: TestClient) -> None:
    for language in ("ru", "en", "uz", "tg", "ky", "kk", "hy", "ka", "az", "ro", "uk"):
        response = client.get(f"/app/i18n/{language}.json")
        assert response.status_code == 200
        assert response.json()["app_name"]


def test_the_app_routes_are_not_in_the_api_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [p for p in paths if p == "/" or p.startswith("/app") or p == "/sw.js"]


def test_vendored_ed25519_is_the_npm_package(client: TestClient) -> None:
    """The fallback signer is @noble/ed25519 exactly as npm ships it (pinned in package.json)."""
    package = json.loads((ROOT / "package.json").read_text())
    assert package["dependencies"]["@noble/ed25519"] == "3.2.0"
    installed = ROOT / "node_modules" / "@noble" / "ed25519"
    if installed.exists():
        assert json.loads((installed / "package.json").read_text())["version"] == "3.2.0"
        assert (installed / "index.js").read_bytes() == VENDOR.read_bytes()
    served = client.get("/app/vendor/noble-ed25519.js", headers={"Accept-Encoding": "identity"})
    assert served.content == VENDOR.read_bytes()
    assert "signAsync" in served.text and "keygenAsync" in served.text
