"""`location_reports` has no foreign keys since revision 1405 (issue 8): the two per-row checks
were half the cost of an insert on PostgreSQL, and the intake reads and locks what they would
check in the same transaction. The downgrade puts them back, on both databases."""

from __future__ import annotations

from alembic import command
from sqlalchemy import Engine, inspect

from amina.db import make_engine
from amina.schema import alembic_config, upgrade


def foreign_keys(engine: Engine) -> set[tuple[str, str]]:
    return {
        (key["constrained_columns"][0], key["referred_table"])
        for key in inspect(engine).get_foreign_keys("location_reports")
    }


def downgrade(engine: Engine, revision: str) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def test_reports_carry_no_foreign_keys_and_the_downgrade_restores_them(live_url: str) -> None:
    engine = make_engine(live_url)
    try:
        assert foreign_keys(engine) == set()
        downgrade(engine, "1404")
        assert foreign_keys(engine) == {("device_id", "devices"), ("person_id", "persons")}
        upgrade(engine)
        assert foreign_keys(engine) == set()
    finally:
        engine.dispose()
