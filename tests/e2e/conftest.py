"""Fixtures of the end-to-end tests: one real ``kyso serve`` per test module, on a fresh
database of its own (SQLite, or a PostgreSQL schema with ``KYSO_TEST_DATABASE_URL``: the
rule of ``tests/databases.py``, the same as every other test's)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.databases import fresh_database
from tests.e2e.harness import Server


@pytest.fixture(scope="module")
def app_db_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, app_db_url: str) -> Iterator[Server]:
    running = Server(tmp_path_factory.mktemp("server") / "home", app_db_url)
    yield running
    running.stop()
    assert "Traceback" not in running.log_path.read_text(), "the server failed: see its log"
