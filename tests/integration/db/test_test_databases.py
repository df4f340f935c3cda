"""The suite's own PostgreSQL copies (``tests/databases.py``): a copy a test used comes back
to the next test as the template left it, under a new name, and one whose schema a test
changed is dropped rather than handed on."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import make_url, text
from sqlalchemy.exc import OperationalError

from kyso.adapters.db.engine import make_engine
from tests.databases import PG_URL, MigratedTemplate

pytestmark = pytest.mark.skipif(not PG_URL, reason="PostgreSQL's copies (SQLite copies the "
                                                   "template's file for every test)")

ADD = text("INSERT INTO throttles (key, failures) VALUES ('x', 3)")
PENDING = text("INSERT INTO audit_pending (at, action, outcome, details) "
               "VALUES (now(), 'a', 'ok', '{}') RETURNING id")


def _names() -> set[str]:
    admin = make_engine(PG_URL or "")
    try:
        with admin.connect() as conn:
            return set(conn.execute(text("SELECT datname FROM pg_database")).scalars())
    finally:
        admin.dispose()


def test_a_used_copy_comes_back_empty_renamed_and_its_sequences_restarted(tmp_path: Path
                                                                           ) -> None:
    template = MigratedTemplate()
    try:
        with template.copy(tmp_path) as first:
            engine = make_engine(first)
            with engine.begin() as conn:
                conn.execute(ADD)
                assert conn.execute(PENDING).scalar_one() == 1
                assert conn.execute(PENDING).scalar_one() == 2
            # left connected, as a test's forgotten pool or thread would be
            held = engine.connect()
        with template.copy(tmp_path) as second:
            assert make_url(second).database != make_url(first).database
            assert make_url(first).database not in _names()
            again = make_engine(second)
            try:
                with again.begin() as conn:
                    assert conn.execute(text("SELECT count(*) FROM throttles")).scalar() == 0
                    assert conn.execute(PENDING).scalar_one() == 1  # restarted
            finally:
                again.dispose()
        with pytest.raises(OperationalError):  # what the first test left cannot reach it
            held.execute(text("SELECT 1"))
        engine.dispose()
    finally:
        template.close()
    assert make_url(second).database not in _names()  # dropped at the end


def test_a_copy_whose_schema_changed_is_dropped(tmp_path: Path) -> None:
    template = MigratedTemplate()
    try:
        with template.copy(tmp_path) as url:
            engine = make_engine(url)
            with engine.begin() as conn:
                conn.execute(text("ALTER TABLE throttles ADD COLUMN extra integer"))
            engine.dispose()
        assert make_url(url).database not in _names()
        with template.copy(tmp_path) as fresh:  # a new copy, as the template is
            engine = make_engine(fresh)
            with engine.connect() as conn:
                columns = conn.execute(text(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'throttles'")).scalars().all()
            engine.dispose()
        assert "extra" not in columns
    finally:
        template.close()

