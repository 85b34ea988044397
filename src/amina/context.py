"""What a process builds once at start-up and hands down: settings, database, clock, and the
outside-world adapters. Built by `create_app`, the CLI and the worker; never at import time."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from amina import vault
from amina.clock import Clock, clock_for
from amina.config import Settings
from amina.db import Database
from amina.keys import Keys
from amina.notifications.sms import SmsSender, sms_sender
from amina.rules.territory import Territory, load_territory

if TYPE_CHECKING:
    from amina.monitoring.hotpath import ReportIntake


def keyring_for(settings: Settings) -> vault.Keyring:
    secrets = [settings.secret_key_bytes(), *settings.retired_secret_key_bytes()]
    return vault.Keyring(secrets, version=settings.data_key_version)


@dataclass
class AppContext:
    settings: Settings
    db: Database
    clock: Clock = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.clock is None:
            self.clock = clock_for(self.settings.now)
        # Column types encrypt and decrypt through the process's keyring (amina.vault).
        vault.install(keyring_for(self.settings))

    @classmethod
    def from_settings(cls, settings: Settings, clock: Clock | None = None) -> AppContext:
        db = Database.connect(settings.effective_database_url)
        return cls(settings=settings, db=db, clock=clock or clock_for(settings.now))

    @cached_property
    def keys(self) -> Keys:
        return Keys(self.settings.secret_key_bytes())

    @cached_property
    def sms(self) -> SmsSender:
        return sms_sender(self.settings)

    @cached_property
    def territory(self) -> Territory:
        return load_territory(
            self.settings.territory_boundary_path, tolerance_m=self.settings.territory_tolerance_m
        )

    @cached_property
    def intake(self) -> ReportIntake:
        """The report-intake hot path with its group-commit writer (started on first use)."""
        from amina.monitoring.hotpath import ReportIntake

        return ReportIntake(
            self.db, settings=self.settings, keys=self.keys, territory=self.territory
        )

    def close(self) -> None:
        if "intake" in self.__dict__:
            self.intake.close()
        self.db.dispose()
