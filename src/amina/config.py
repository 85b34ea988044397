"""Typed settings, read from `AMINA_*` environment variables.

Every choice that rules.md calls ours (deadline hours, counts, tolerances, lists) is a setting
here, never a literal buried in code. Nothing is read at import time: call `Settings()` (or
`get_settings()` in the CLI) when you need it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import itertools
import math
import os
import secrets
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path
from typing import Annotated, Literal

import platformdirs
from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["development", "production"]
SmsBackend = Literal["log", "http"]
PushBackend = Literal["log", "webpush"]
ApiDocs = Literal["public", "officer", "off"]

# The nine visa-free states named in the seeds (rules.md §1).
DEFAULT_PARTICIPATING = ("UZ", "TJ", "KG", "AM", "KZ", "GE", "AZ", "MD", "UA")
LANGUAGES = ("ru", "en", "uz", "tg", "ky", "kk", "hy", "ka", "az", "ro", "uk")
PLACEHOLDER_SECRETS = frozenset({"", "changeme", "change-me", "secret", "dev", "development"})
MIN_SECRET_LENGTH = 32
MIN_SECRET_BITS = 128


def _shannon_bits(symbols: list[int]) -> float:
    counts = Counter(symbols)
    total = len(symbols)
    return -sum(n / total * math.log2(n / total) for n in counts.values()) if total else 0.0


def estimated_entropy_bits(secret: str) -> float:
    """A conservative estimate of a secret's entropy: its length times the smaller of the
    per-character Shannon entropy of its characters and of the steps between them. Repeats
    ("aaaa…") and runs ("abcd…", "1234…") score near zero; random keys score near their true
    size (`secrets.token_urlsafe(32)`: ~230 bits)."""
    points = [ord(char) for char in secret]
    steps = [b - a for a, b in itertools.pairwise(points)]
    per_char = min(_shannon_bits(points), _shannon_bits(steps) if steps else 0.0)
    return per_char * len(points)


def _csv(value: object) -> object:
    if isinstance(value, str):
        return tuple(part.strip().upper() for part in value.split(",") if part.strip())
    return value


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="AMINA_", extra="ignore", frozen=True)

    env: Environment = "development"
    data_dir: Path = Field(default_factory=lambda: Path(platformdirs.user_data_dir("amina")))
    database_url: str | None = None
    now: datetime | None = None
    secret_key: SecretStr | None = None
    public_base_url: str = "http://127.0.0.1:8000"
    log_level: str = "INFO"

    # Sign-in (issue 3).
    sms_backend: SmsBackend | None = None
    sms_http_url: str | None = None
    sms_http_token: SecretStr | None = None
    sms_http_timeout_s: float = 10.0
    otp_ttl_s: int = Field(default=600, ge=60, le=600)
    otp_max_attempts: int = Field(default=5, ge=1, le=10)
    lockout_failed_challenges: int = 5
    lockout_window_s: int = 7200
    sends_per_identifier_per_hour: int = 5
    sends_per_phone_per_hour: int = 5
    sends_per_ip_per_hour: int = 30
    access_token_ttl_s: int = Field(default=900, ge=60, le=900)
    refresh_token_ttl_days: int = 30
    # Every challenge answer takes at least this long, known identity or not (rules.md §2).
    challenge_response_floor_s: float = Field(default=0.35, ge=0, le=5)
    # Reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For is believed (issue 9).
    trusted_proxies: Annotated[tuple[str, ...], NoDecode] = ()

    # The regime (rules.md §1, §3, §4).
    participating_citizenships: Annotated[tuple[str, ...], NoDecode] = DEFAULT_PARTICIPATING
    work_required_from: date = date(2025, 9, 1)
    long_stay_required_from: date = date(2026, 9, 1)
    short_stay_max_days: int = 90
    adult_age_years: int = 18
    mmc_address: str = "Московская обл., г.о. Наро-Фоминский, пос. Сахарово, ММЦ Сахарово"
    consent_version: str = "2025-09-01"
    residence_report_working_days: int = 3
    reminder_working_day: int = 2
    reminder_time: time = time(9, 0)
    final_warning_working_day: int = 3
    final_warning_time: time = time(9, 0)
    deregistration_working_day: int = 4
    deregistration_time: time = time(0, 0)
    min_available_hours: float = Field(default=20.0, gt=0, le=24)
    clock_skew_s: int = 300
    max_report_age_days: int = 30
    max_reports_per_batch: int = 500
    report_interval_s: int = 900
    impossible_speed_kmh: float = 1000.0
    territory_boundary_path: Path | None = None
    territory_tolerance_m: float = Field(default=6000.0, ge=0)

    # Worker, notifications, retention (issue 4).
    worker_interval_s: float = 30.0
    worker_in_process: bool = False
    sweep_batch_size: int = 1000
    # Police districts (issue 11): location reports (and, after a load, people) placed per tick.
    district_batch_size: int = Field(default=5000, ge=1)
    heartbeat_interval_s: int = 60
    outage_min_gap_s: int = 300
    # A declared outage longer than this needs a second supervisor's approval (issue 9).
    outage_max_days: int = Field(default=7, ge=1, le=30)
    delivery_max_attempts: int = 8
    delivery_base_backoff_s: int = 30
    push_backend: PushBackend | None = None
    vapid_subject: str = "mailto:support@amina.example"
    raw_report_retention_days: int = 30
    # PostgreSQL: Moscow days of `location_reports` partitions the worker keeps made ahead.
    report_partition_days_ahead: int = Field(default=7, ge=1, le=60)
    # /docs, /redoc, /openapi.json (issue 10): "public", "officer" (an officer's bearer token)
    # or "off"; unset means public in development and off in production.
    api_docs: ApiDocs | None = None

    # The officer console (issue 11).
    console_idle_timeout_s: int = Field(default=900, ge=60, le=3600)
    console_absolute_timeout_s: int = Field(default=12 * 3600, ge=600, le=24 * 3600)
    officer_password_failures_per_ip: int = 10  # per account and IP, per 15 minutes
    officer_second_factor_failures: int = 5  # per account, whatever the IP: then it is locked
    officer_lockout_s: int = 7200
    manual_reminders_per_person_per_day: int = 1
    map_tile_url: str | None = (
        None  # a raster tile server, e.g. https://tiles.example/{z}/{x}/{y}.png
    )
    # Report intake at line rate (issue 8): the group-commit writer and its bounds.
    # PostgreSQL (SQLite has one). One per process measured best (docs/performance.md): the
    # groups are larger and the threads do not contend for the GIL; a group takes its row
    # locks in key order, so processes wait on each other but never deadlock.
    intake_writer_threads: int = Field(default=1, ge=1, le=64)
    intake_max_group: int = Field(default=256, ge=1)
    intake_max_queue: int = Field(default=4096, ge=1)
    intake_max_wait_s: float = Field(default=5.0, gt=0)
    intake_max_active: int = Field(default=128, ge=1)  # per process, past the cheap checks
    # `amina serve`: allocations between young collections, after freezing what the built app
    # holds (`web/heap.py`); 0 keeps Python's collector as it is.
    gc_young_threshold: int = Field(default=10_000, ge=0)
    gc_settle_again_after_s: float = Field(default=30.0, ge=0)  # once, after warming up
    # `amina serve`: the GIL's switch interval (`web/gil.py`); 0 keeps Python's 5 ms.
    gil_switch_interval_ms: float = Field(default=0.5, ge=0, le=100)
    # Data at rest, the audit anchor, production headers (issue 9).
    # Comma-separated secrets that values may still be encrypted under (`amina keys rotate`).
    retired_secret_keys: SecretStr | None = None
    data_key_version: int = Field(default=1, ge=1, le=1000)
    # Where `amina audit checkpoint` writes signed heads, and the Ed25519 key that signs them
    # (default: the data directory). Keep both off the database server.
    audit_checkpoint_dir: Path | None = None
    audit_signing_key_path: Path | None = None
    hsts_max_age_s: int = Field(default=31_536_000, ge=0)
    # The work patent (issue 12, rules.md §7).
    patent_reminder_days: Annotated[tuple[int, ...], NoDecode] = (7, 3, 1)
    patent_reminder_time: time = time(10, 0)
    patent_payee_path: Path | None = None
    patent_rates_path: Path | None = None
    # Appointments at the MMC (issue 12, rules.md §8).
    booking_services_path: Path | None = None
    booking_opens_at: time = time(8, 0)
    booking_closes_at: time = time(20, 0)
    booking_slot_minutes: int = Field(default=30, ge=5, le=240)
    booking_days_ahead: int = Field(default=14, ge=1, le=90)
    booking_closed_on_days_off: bool = True
    booking_max_active: int = Field(default=3, ge=1, le=20)
    booking_no_show_after_min: int = Field(default=30, ge=0, le=600)
    booking_day_before_at: time = time(18, 0)
    booking_soon_before_min: int = Field(default=120, ge=0, le=1440)

    # Background trackers and shutdowns (issue 13).
    mqtt_host: str = "127.0.0.1"
    mqtt_port: int = Field(default=1883, ge=1, le=65535)
    mqtt_public_host: str | None = None  # what phones connect to; default: public_base_url's
    mqtt_public_port: int | None = Field(default=None, ge=1, le=65535)
    mqtt_ingest_username: str = "amina-ingest"
    mqtt_broker_dir: Path | None = None  # Amina's mosquitto.conf, passwords, acl; default: data
    owntracks_ping_minutes: int = Field(default=120, ge=15, le=720)
    nudge_time: time = time(19, 0)
    nudge_within_working_days: int = Field(default=1, ge=0, le=3)

    @field_validator("participating_citizenships", mode="before")
    @classmethod
    def _split_citizenships(cls, value: object) -> object:
        return _csv(value)

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = tuple(part.strip() for part in value.split(",") if part.strip())
        for cidr in value if isinstance(value, tuple | list) else ():
            try:
                ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                raise ValueError(f"AMINA_TRUSTED_PROXIES: {cidr!r} is not a CIDR") from None
        return value

    @field_validator("patent_reminder_days", mode="before")
    @classmethod
    def _split_reminder_days(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(int(part) for part in value.split(",") if part.strip())
        return value

    @field_validator("now")
    @classmethod
    def _now_is_aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("AMINA_NOW must carry a UTC offset, e.g. 2026-11-20T09:00:00+03:00")
        return value

    @model_validator(mode="after")
    def _production_is_strict(self) -> Settings:
        if self.env != "production":
            return self
        key = self.secret_key.get_secret_value() if self.secret_key else ""
        if (
            key.strip().lower() in PLACEHOLDER_SECRETS
            or len(key) < MIN_SECRET_LENGTH
            or estimated_entropy_bits(key) < MIN_SECRET_BITS
        ):
            raise ValueError(
                "AMINA_SECRET_KEY must be a random secret of at least "
                f"{MIN_SECRET_LENGTH} characters and about {MIN_SECRET_BITS} bits of entropy "
                "in production (e.g. python -c 'import secrets; print(secrets.token_urlsafe(32))')"
            )
        if self.now is not None:
            raise ValueError("AMINA_NOW is not allowed in production")
        if self.database_url is None:
            raise ValueError("AMINA_DATABASE_URL must be set in production")
        if self.sms_backend != "http" or not self.sms_http_url:
            raise ValueError("production needs AMINA_SMS_BACKEND=http and AMINA_SMS_HTTP_URL")
        return self

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'amina.sqlite3'}"

    @property
    def effective_sms_backend(self) -> SmsBackend:
        return self.sms_backend or ("http" if self.is_production else "log")

    @property
    def effective_api_docs(self) -> ApiDocs:
        return self.api_docs or ("off" if self.is_production else "public")

    @property
    def effective_push_backend(self) -> PushBackend:
        return self.push_backend or ("webpush" if self.is_production else "log")

    def retired_secret_key_bytes(self) -> list[bytes]:
        raw = self.retired_secret_keys.get_secret_value() if self.retired_secret_keys else ""
        return [part.strip().encode() for part in raw.split(",") if part.strip()]

    @property
    def effective_audit_checkpoint_dir(self) -> Path:
        return self.audit_checkpoint_dir or self.data_dir / "audit-checkpoints"

    @property
    def effective_audit_signing_key_path(self) -> Path:
        return self.audit_signing_key_path or self.data_dir / "audit_signing_key.pem"

    def secret_key_bytes(self) -> bytes:
        """The signing secret: from the environment, or (outside production) a generated one
        kept in the data directory so tokens survive restarts."""
        if self.secret_key is not None and self.secret_key.get_secret_value():
            return self.secret_key.get_secret_value().encode()
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            # Written aside and hard-linked into place: several processes starting at once
            # agree on one key, and none reads a half-written file.
            draft = self.data_dir / f".secret_key.{secrets.token_hex(8)}"
            fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
            with contextlib.suppress(FileExistsError):
                os.link(draft, path)
            draft.unlink()
        return path.read_text().strip().encode()
