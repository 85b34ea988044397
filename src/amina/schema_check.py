"""`python -m amina.schema_check sqlite|<postgresql url>`: migrate a scratch database from empty
and run `alembic check` on it, so CI proves the migrations build exactly the models' schema."""

from __future__ import annotations

import sys
import tempfile
import uuid

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from amina.db import make_engine
from amina.schema import check, upgrade


def check_url(url: str) -> None:
    engine = make_engine(url)
    try:
        upgrade(engine)
        check(engine)
    finally:
        engine.dispose()


def main(target: str) -> None:
    if target == "sqlite":
        with tempfile.TemporaryDirectory() as scratch:
            check_url(f"sqlite:///{scratch}/check.sqlite3")
        print("sqlite: migrations match the models")
        return
    name = f"amina_check_{uuid.uuid4().hex[:8]}"
    admin = create_engine(target, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        check_url(make_url(target).set(database=name).render_as_string(hide_password=False))
        print("postgresql: migrations match the models")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sqlite")
