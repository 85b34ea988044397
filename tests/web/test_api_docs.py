"""The API documentation: vendored viewers (no CDN, no fonts), and who may read it.

The browser half (it renders with every other host blocked) is tests/browser/test_api_docs.py.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from amina.audit.service import Actor
from amina.config import Settings
from amina.context import AppContext
from amina.officers.models import Role
from amina.officers.service import add_officer

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "src" / "amina" / "web" / "static" / "docs" / "vendor"
DOCS_PATHS = ("/openapi.json", "/docs", "/redoc")


@pytest.mark.parametrize("folder", [VENDOR, ROOT / "tests" / "browser" / "vendor"])
def test_vendored_files_are_the_npm_files_named_in_the_manifest(folder: Path) -> None:
    manifest = json.loads((folder / "vendor.json").read_text())
    for name, entry in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == entry["sha256"], name
        package = manifest["packages"][entry["package"]]
        assert re.fullmatch(r"\d+\.\d+\.\d+", package["version"])
        assert package["integrity"].startswith("sha512-")
    shipped = {p.name for p in folder.iterdir()} - {"vendor.json", "PROVENANCE.md"}
    assert shipped == set(manifest["files"])


@pytest.mark.parametrize(
    ("path", "script"), [("/docs", "swagger-ui-bundle.js"), ("/redoc", "redoc-init.js")]
)
def test_the_pages_load_only_same_origin_files_under_a_csp(
    client: TestClient, path: str, script: str
) -> None:
    page = client.get(path)
    assert page.status_code == 200
    assert "<script>" not in page.text and "<style" not in page.text  # no inline code
    assert "http" not in page.text.replace("http-equiv", "")  # nothing from other hosts
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-eval" not in csp
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert f"/docs/static/{script}" in sources or f"/docs/static/vendor/{script}" in sources
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert "fonts.googleapis" not in asset.text and "cdn.jsdelivr" not in asset.text


def test_static_paths_outside_the_folder_are_not_served(client: TestClient) -> None:
    for path in (
        "/docs/static/../../config.py",
        "/docs/static/vendor/vendor.json",
        "/docs/static/x.js",
    ):
        assert client.get(path).status_code == 404, path


def test_development_documents_every_api_route(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    assert "/api/v1/auth/challenges" in document["paths"]
    assert not [p for p in document["paths"] if p.startswith(("/docs", "/redoc"))]


def test_production_turns_the_docs_off_by_default() -> None:
    production = Settings(
        env="production",
        secret_key="Jx4pQ9vR2mT7wZ1kL8nB5cY3hF6dG0sA-uEiOoPq",
        database_url="postgresql+psycopg://amina@db.example/amina",
        sms_backend="http",
        sms_http_url="https://sms.example/send",
    )
    assert production.effective_api_docs == "off"
    assert Settings(env="development").effective_api_docs == "public"


@pytest.mark.settings(api_docs="off")
def test_off_answers_404_as_if_there_were_no_docs(client: TestClient) -> None:
    for path in DOCS_PATHS:
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json()["error"]["code"]


@pytest.mark.settings(api_docs="officer")
def test_officer_mode_needs_an_officer_session(
    client: TestClient, context: AppContext, signed_in: object
) -> None:
    for path in DOCS_PATHS:
        assert client.get(path).status_code == 401, path
    _, migrant = signed_in  # type: ignore[misc]
    assert client.get("/openapi.json", headers=migrant.auth).status_code == 401
    with context.db.unit_of_work() as session:
        add_officer(
            session,
            now=context.clock.now(),
            actor=Actor("cli", "t"),
            username="olga",
            display_name="Olga",
            role=Role.MMC_OFFICER,
            password="correct horse battery staple",
        )
    token = client.post(
        "/api/v1/officer/sessions",
        json={"username": "olga", "password": "correct horse battery staple"},
    ).json()["access_token"]
    for path in DOCS_PATHS:
        assert client.get(path, headers={"Authorization": f"Bearer {token}"}).status_code == 200
