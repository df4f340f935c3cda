"""The Alembic migrations build exactly the schema the tables describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from kyso.adapters.db.schema import upgrade
from kyso.adapters.db.tables import metadata


def test_migrations_match_the_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, metadata) == []


def test_upgrade_is_idempotent(engine: Engine) -> None:
    upgrade(engine)
    upgrade(engine)
    names = set(inspect(engine).get_table_names())
    assert set(metadata.tables) <= names and "alembic_version" in names
