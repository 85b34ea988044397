"""Settings: typed, and strict in production."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from amina.config import Settings

GOOD_SECRET = "q3J9vX_b2Lr7TmZ0kY8wNcPa5HsE1fGd4UoRiVx6jWt"  # token_urlsafe(32)
PRODUCTION = {
    "env": "production",
    "database_url": "postgresql+psycopg://amina@db/amina",
    "sms_backend": "http",
    "sms_http_url": "https://sms.example/send",
}


@pytest.mark.parametrize(
    "secret",
    [
        None,
        "",
        "changeme",
        "secret",
        "short-but-real",
        "a" * 32,
        "x" * 64,
        "abcdefghijklmnopqrstuvwxyz012345",
        "0123456789" * 4,
        "ab" * 24,
    ],
)
def test_production_refuses_to_start_without_a_real_secret(secret: str | None) -> None:
    with pytest.raises(ValidationError, match="AMINA_SECRET_KEY"):
        Settings(**PRODUCTION, secret_key=secret)


def test_production_accepts_a_real_secret() -> None:
    settings = Settings(**PRODUCTION, secret_key=GOOD_SECRET)
    assert settings.is_production
    assert settings.secret_key_bytes() == GOOD_SECRET.encode()
    assert settings.effective_sms_backend == "http"


def test_production_refuses_a_pinned_clock_and_the_log_sms_backend() -> None:
    with pytest.raises(ValidationError, match="AMINA_NOW"):
        Settings(**PRODUCTION, secret_key=GOOD_SECRET, now="2026-01-01T00:00:00+03:00")
    with pytest.raises(ValidationError, match="SMS"):
        Settings(**{**PRODUCTION, "sms_backend": "log"}, secret_key=GOOD_SECRET)


def test_now_must_carry_an_offset() -> None:
    with pytest.raises(ValidationError, match="offset"):
        Settings(now="2026-01-01T00:00:00")


def test_lists_come_from_comma_separated_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AMINA_PARTICIPATING_CITIZENSHIPS", "uz, tj,KG")
    assert Settings().participating_citizenships == ("UZ", "TJ", "KG")


def test_development_defaults(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path)
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'amina.sqlite3'}"
    assert settings.effective_sms_backend == "log"
    # A generated secret is kept, so tokens survive a restart.
    first = settings.secret_key_bytes()
    assert len(first) >= 32
    assert Settings(data_dir=tmp_path).secret_key_bytes() == first
