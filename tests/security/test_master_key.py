"""A node whose master key does not open what the database holds refuses to start (issue 11):
another node's key, a lost key file (never replaced by a new one), and a database from before
the check value. SQLite, or PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import delete

from kyso.adapters.db.engine import make_engine
from kyso.adapters.db.key_check import MasterKeyMismatch, MasterKeyMissing
from kyso.adapters.db.tables.keys import key_checks
from kyso.bootstrap import bootstrap, init_home
from kyso.config import Settings
from tests.conftest import FAST_HASHER
from tests.security.homes import kyso


def _node(tmp_path: Path, db_url: str, name: str) -> Settings:
    return Settings(home=tmp_path / name, database_url=db_url, pki_ca_key="ec-p256",
                    pki_responder_key="ec-p256", pki_tsa_key="ec-p256")


def _own_key(settings: Settings, material: bytes = b"\x01" * 32) -> None:
    settings.home.mkdir(mode=0o700, exist_ok=True)
    settings.master_key_path.write_bytes(material)
    settings.master_key_path.chmod(0o600)


def _initialized(settings: Settings) -> None:
    init_home(settings)
    container = bootstrap(settings, hasher=FAST_HASHER)
    try:
        container.pki.initialize(actor="test")  # CA keys sealed under the master key
    finally:
        container.close()


def test_another_nodes_key_is_refused(tmp_path: Path, db_url: str) -> None:
    _initialized(_node(tmp_path, db_url, "a"))
    other = _node(tmp_path, db_url, "b")
    with pytest.raises(MasterKeyMissing):  # no key of its own: none is made
        init_home(other)
    _own_key(other)
    with pytest.raises(MasterKeyMismatch, match="does not open"):
        init_home(other)
    _own_key(other, (tmp_path / "a" / "master.key").read_bytes())
    init_home(other)  # the database's own key: accepted


def test_a_lost_key_is_never_replaced(tmp_path: Path, db_url: str) -> None:
    node = _node(tmp_path, db_url, "a")
    _initialized(node)
    key = node.master_key_path.read_bytes()
    node.master_key_path.unlink()
    with pytest.raises(MasterKeyMissing, match="restore the master key"):
        init_home(node)
    assert not node.master_key_path.exists()
    container = bootstrap(node, hasher=FAST_HASHER)
    with pytest.raises(MasterKeyMissing):
        _ = container.master_key
    container.close()
    _own_key(node, key)
    init_home(node)


def test_a_database_without_a_check_value_is_checked_on_its_keys(tmp_path: Path,
                                                                 db_url: str) -> None:
    a, b = _node(tmp_path, db_url, "a"), _node(tmp_path, db_url, "b")
    _initialized(a)
    _own_key(b)
    engine = make_engine(a.sqlalchemy_url)
    with engine.begin() as conn:  # as a database initialized before the check value
        conn.execute(delete(key_checks))
    engine.dispose()
    with pytest.raises(MasterKeyMismatch):
        init_home(b)
    init_home(a)  # the right key: the check value is written again
    with pytest.raises(MasterKeyMismatch):
        init_home(b)


def test_kyso_serve_refuses_with_a_clear_message(tmp_path: Path, db_url: str) -> None:
    assert kyso(tmp_path / "a", db_url, "init").returncode == 0
    missing = kyso(tmp_path / "b", db_url, "serve", "--port", "8198")
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "restore the master key" in " ".join(missing.stderr.split())
    assert not (tmp_path / "b" / "master.key").exists()
    _own_key(_node(tmp_path, db_url, "b"))
    refused = kyso(tmp_path / "b", db_url, "serve", "--port", "8198")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "does not open the data sealed in this database" in " ".join(refused.stderr.split())
