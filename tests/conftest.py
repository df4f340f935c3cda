"""Fixtures shared by every layer of the suite.

The database is SQLite (a fresh file per test) unless ``KYSO_TEST_DATABASE_URL`` names a
PostgreSQL database; then each test gets a fresh schema in it.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from kyso.accounts.rules import SecretHasher
from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.schema import upgrade
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.secrets import Envelope, MasterKey
from tests.databases import (
    PG_URL,
    MigratedTemplate,
    drop_process_template,
    fresh_database,
    process_template,
)
from tests.softhsm import SoftHsm, start_softhsm

__all__ = ["FAST_HASHER", "PG_URL"]  # PG_URL: kept importable from here


@pytest.fixture(autouse=True)
def _logging_as_it_was() -> Iterator[None]:
    """A command run in process (``kyso worker``, ``kyso serve``'s app factory) configures the
    root logger for JSON lines at INFO; the next tests get the logging they started with."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def master_key() -> MasterKey:
    return MasterKey(os.urandom(32))


@pytest.fixture
def envelope(master_key: MasterKey) -> Envelope:
    return Envelope(master_key)


@pytest.fixture(scope="session", autouse=True)
def _drop_the_migrated_template() -> Iterator[None]:
    """Set up first, so torn down last: after every module's copy of it is dropped."""
    yield
    drop_process_template()


@pytest.fixture(scope="session")
def migrated_template() -> MigratedTemplate:
    return process_template()


MIGRATE_FIRST = frozenset({"engine", "container"})  # fixtures that upgrade ``db_url`` first


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database for this test; for a test that takes ``engine`` or
    ``container`` (each migrates it to the newest revision before the test sees it), a copy
    of this process's migrated database instead: the same start, without running the
    migrations again (``tests/databases.py``). A test of the migrations themselves takes
    ``db_url`` alone, or builds its own container on it, and gets an empty database."""
    if MIGRATE_FIRST & set(request.fixturenames):
        template: MigratedTemplate = request.getfixturevalue("migrated_template")
        with template.copy(tmp_path) as url:
            yield url
        return
    with fresh_database(tmp_path) as url:
        yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = make_engine(db_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def uow_factory(engine: Engine):  # type: ignore[no-untyped-def]  # fixtures stay terse
    return lambda *, read_only=False: SqlUnitOfWork(engine, read_only=read_only)


FAST_HASHER = SecretHasher(time_cost=1, memory_kib=1024, parallelism=1)


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url)


@pytest.fixture
def container(settings: Settings, clock: ManualClock) -> Iterator[Container]:
    init_home(settings)
    c = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
    yield c
    c.close()


@pytest.fixture(scope="session")
def softhsm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SoftHsm]:
    """SoftHSM2 tokens for this process: the key store's two, and the PKI tests' one."""
    yield from start_softhsm(tmp_path_factory.mktemp("softhsm"))
