"""The `amina` command line (api.md)."""

from __future__ import annotations

from amina.cli.app import app, main

__all__ = ["app", "main"]
