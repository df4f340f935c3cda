"""Create or upgrade the database schema with Alembic (no ``alembic.ini`` needed)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine

__all__ = ["alembic_config", "at_head", "upgrade"]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


@cache
def _schema_heads() -> frozenset[str]:
    """The newest revisions (read from the migration scripts once per process)."""
    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


def at_head(connection: Connection) -> bool:
    """Whether the database's revisions are the newest (one read of ``alembic_version``)."""
    return set(MigrationContext.configure(connection).get_current_heads()) == _schema_heads()


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (idempotent). A database already there is
    left after one read: Alembic's own run loads every migration script again each time
    (50-130 ms), and every container of a long-lived process (a test's, ``kyso init``'s) would
    pay for it."""
    with engine.connect() as connection:
        if at_head(connection):
            return
        command.upgrade(alembic_config(connection), "heads")
        connection.commit()
