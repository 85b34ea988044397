"""Alembic environment: one metadata (amina.models), batch mode on SQLite."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from sqlalchemy import Connection

from amina.config import Settings
from amina.db import JsonDocument, UtcDateTime
from amina.models import Base

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or Settings().effective_database_url


def _render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    if type_ == "type" and isinstance(obj, UtcDateTime):
        autogen_context.imports.add("import amina.db")
        return "amina.db.UtcDateTime()"
    if type_ == "type" and obj is JsonDocument:
        autogen_context.imports.add("import amina.db")
        return "amina.db.JsonDocument"
    return False


def _include_name(name: str | None, type_: str, _parent: Any) -> bool:
    """The day and default partitions of `location_reports` (PostgreSQL) are not models."""
    return not (type_ == "table" and name is not None and name.startswith("location_reports_"))


def _configure(connection: Connection | None = None, **kwargs: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=_include_name,
        render_as_batch=True,
        compare_type=True,
        render_item=_render_item,
        **kwargs,
    )


def run_migrations_offline() -> None:
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    from amina.db import make_engine

    engine = make_engine(_url())
    with engine.connect() as fresh:
        _configure(fresh)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
