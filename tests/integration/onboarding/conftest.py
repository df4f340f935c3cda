"""A kyso with its CA hierarchy (2048-bit keys: the hierarchy is the slow part)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app


@pytest.fixture
def settings(tmp_path: Path, db_url: str) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, pki_ca_key="rsa-2048")


@pytest.fixture
def client(container: Container) -> Iterator[TestClient]:
    container.pki.initialize(actor="test")
    container.catalog.load(actor="test")
    with TestClient(create_app(container), raise_server_exceptions=False) as c:
        yield c
