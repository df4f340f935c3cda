"""Health that tells the truth: /healthz (the process), /readyz (database, schema, master key,
key store), and 503 ``service_unavailable`` on every route while the database is away, then
recovery without a restart.

The outage is real on both databases: on SQLite another process holds the write lock past
the busy timeout; on PostgreSQL the node's role may no longer log in and its connections are
terminated (``pg_terminate_backend``), then it may again.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlalchemy.engine import make_url

from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.key_check import PURPOSE
from kyso.adapters.db.tables.keys import key_checks
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.secrets import Envelope, MasterKey
from tests.conftest import FAST_HASHER
from tests.databases import PG_URL
from tests.integration.api.conftest import PASSWORD, sign_up

VI_DOWN = "Hệ thống tạm thời gián đoạn. Vui lòng thử lại sau ít phút."


@pytest.fixture
def node_url(db_url: str) -> Iterator[str]:
    """The URL the node uses: on PostgreSQL, a role of its own that the test can lock out."""
    if not PG_URL:
        yield db_url
        return
    role = f"kyso_node_{uuid.uuid4().hex[:8]}"
    schema = db_url.rpartition("search_path%3D")[2]
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
        conn.execute(text(f'GRANT ALL ON SCHEMA "{schema}" TO "{role}"'))
        conn.execute(text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
                          f'GRANT ALL ON TABLES TO "{role}"'))
        conn.execute(text(f'ALTER DEFAULT PRIVILEGES IN SCHEMA "{schema}" '
                          f'GRANT ALL ON SEQUENCES TO "{role}"'))
    try:
        yield str(make_url(db_url).set(username=role)
                  .render_as_string(hide_password=False))
    finally:
        with admin.begin() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE usename = :r"), {"r": role})
            conn.execute(text(f'DROP OWNED BY "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


@pytest.fixture
def node(tmp_path: Path, db_url: str, node_url: str) -> Iterator[tuple[Container, TestClient]]:
    init_home(Settings(home=tmp_path / "home", database_url=db_url))  # tables owned by the admin
    if PG_URL:
        schema = db_url.rpartition("search_path%3D")[2]
        role = make_url(node_url).username
        admin = make_engine(PG_URL)
        with admin.begin() as conn:
            conn.execute(text(f'GRANT ALL ON ALL TABLES IN SCHEMA "{schema}" TO "{role}"'))
            conn.execute(text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{role}"'))
        admin.dispose()
    settings = Settings(home=tmp_path / "home", database_url=node_url,
                        database_busy_timeout_seconds=0.3)
    container = bootstrap(settings, clock=ManualClock(), hasher=FAST_HASHER)
    container.pki.initialize(actor="test")
    with TestClient(create_app(container), raise_server_exceptions=False) as client:
        yield container, client
    container.close()


@contextmanager
def database_away(db_url: str, node_url: str) -> Iterator[None]:
    if not PG_URL:
        path = make_url(db_url).database
        assert path is not None
        holder = sqlite3.connect(path, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")  # e.g. a stuck maintenance shell
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    role = make_url(node_url).username
    admin = make_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f'ALTER ROLE "{role}" NOLOGIN'))
        killed = conn.execute(text("SELECT count(pg_terminate_backend(pid)) FROM "
                                   "pg_stat_activity WHERE usename = :r"), {"r": role}).scalar()
    assert killed  # the node had connections open
    try:
        yield
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'ALTER ROLE "{role}" LOGIN'))
        admin.dispose()


def test_ready_when_everything_answers(node):
    _, client = node
    assert client.get("/healthz").json()["status"] == "ok"
    r = client.get("/readyz")
    assert r.status_code == 200, r.text
    assert r.json() == {"status": "ready", "checks": {
        "database": "ok", "schema": "ok", "master_key": "ok", "keystore": "ok"}}


def test_every_route_answers_503_while_the_database_is_away_then_recovers(node, db_url,
                                                                         node_url):
    _, client = node
    sign_up(client, 1)
    assert client.post("/api/v1/auth/login",
                       json={"login": "khach1", "password": PASSWORD}).status_code == 200

    with database_away(db_url, node_url):
        login = client.post("/api/v1/auth/login", json={"login": "khach1", "password": PASSWORD})
        assert login.status_code == 503, login.text
        assert login.json() == {"error": "service_unavailable", "error_description": VI_DOWN}
        assert int(login.headers["Retry-After"]) > 0
        english = client.post("/api/v1/auth/login", headers={"Accept-Language": "en"},
                              json={"login": "khach1", "password": PASSWORD})
        assert english.status_code == 503
        assert english.json()["error_description"].startswith("The service is temporarily")
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["error"] == "service_unavailable"
        assert ready.json()["checks"]["database"] in ("locked", "unreachable")
        assert client.get("/healthz").status_code == 200  # the process itself lives

    assert client.get("/readyz").status_code == 200  # no restart: the pool reconnects
    again = client.post("/api/v1/auth/login", json={"login": "khach1", "password": PASSWORD})
    assert again.status_code == 200, again.text


def test_not_ready_when_the_schema_is_behind(node, db_url):
    _container, client = node
    engine = make_engine(db_url)
    with engine.begin() as conn:
        heads = [row[0] for row in conn.execute(text("SELECT version_num FROM alembic_version"))]
        conn.execute(text("DELETE FROM alembic_version WHERE version_num = :v"), {"v": heads[0]})
    try:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["schema"] == "not_at_head"
    finally:
        with engine.begin() as conn:
            conn.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"),
                         {"v": heads[0]})
        engine.dispose()
    assert client.get("/readyz").status_code == 200


def test_not_ready_when_the_database_holds_another_master_key(node, db_url):
    _, client = node
    engine = make_engine(db_url)
    with engine.begin() as conn:
        original = conn.execute(text("SELECT sealed FROM key_checks")).scalar()
        other = Envelope(MasterKey(os.urandom(32))).seal(b"another deployment's", PURPOSE)
        conn.execute(update(key_checks).values(sealed=other))
    try:
        r = client.get("/readyz", headers={"Accept-Language": "en"})
        assert r.status_code == 503
        assert r.json()["checks"] == {"database": "ok", "schema": "ok",
                                      "master_key": "mismatch", "keystore": "ok"}
    finally:
        with engine.begin() as conn:
            conn.execute(update(key_checks).values(sealed=original))
        engine.dispose()


def test_not_ready_when_the_key_store_cannot_use_the_ca_key(node, db_url):
    _, client = node
    engine = make_engine(db_url)
    with engine.begin() as conn:
        first, other = conn.execute(text(
            "SELECT k.key_id, k.ref FROM pki_keys k JOIN pki_authorities a "
            "ON a.key_id = k.key_id ORDER BY a.created_at, a.name")).all()[:2]
        # the first authority's sealed key swapped for another's: it opens under no purpose
        conn.execute(text("UPDATE pki_keys SET ref = :ref WHERE key_id = :k"),
                     {"ref": other.ref, "k": first.key_id})
    try:
        r = client.get("/readyz")
        assert r.status_code == 503 and r.json()["checks"]["keystore"] == "unusable"
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE pki_keys SET ref = :ref WHERE key_id = :k"),
                         {"ref": first.ref, "k": first.key_id})
        engine.dispose()
    assert client.get("/readyz").status_code == 200
