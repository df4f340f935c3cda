"""The master key away from the disk that holds the database (issue 11): a file named by
KYSO_MASTER_KEY_FILE, or the key itself in KYSO_MASTER_KEY; production refuses the default
file inside KYSO_HOME, next to SQLite. SQLite, or PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import base64
import os
from pathlib import Path

import pytest

from kyso.config import ConfigError, load_settings
from tests.security.homes import kyso

PRODUCTION = {"mode": "production", "public_base_url": "https://ca.example.vn",
              "email_backend": "smtp", "smtp_starttls": True, "sms_backend": "http",
              "sms_gateway_url": "https://sms.example.vn", "payment_gateway": "vnpay",
              "vnpay_tmn_code": "KYSO0001", "vnpay_hash_secret": "x" * 32}


def _b64key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def test_production_refuses_a_master_key_beside_the_database(tmp_path: Path) -> None:
    home = tmp_path / "home"
    for beside in ({}, {"master_key_file": home / "keys" / "master.key"}):
        with pytest.raises(ConfigError, match="beside the database"):
            load_settings({}, home=home, **PRODUCTION | beside)
    outside = load_settings({}, home=home, master_key_file=tmp_path / "secret" / "master.key",
                            **PRODUCTION)
    assert outside.master_key_path == tmp_path / "secret" / "master.key"
    given = load_settings({}, home=home, master_key=_b64key(), **PRODUCTION)
    assert given.given_master_key is not None and len(given.given_master_key) == 32
    assert _b64key()[:8] not in repr(given)


@pytest.mark.parametrize("bad", ["not base64!", base64.b64encode(b"short").decode()])
def test_a_given_master_key_is_32_bytes_of_base64(bad: str) -> None:
    with pytest.raises(ConfigError, match="32 bytes"):
        load_settings({}, master_key=bad)


def test_a_master_key_from_the_environment_never_touches_the_disk(tmp_path: Path,
                                                                  db_url: str) -> None:
    home, key = tmp_path / "home", _b64key()
    assert kyso(home, db_url, "init", KYSO_MASTER_KEY=key).returncode == 0
    assert not (home / "master.key").exists()
    assert kyso(home, db_url, "quota", "sweep", KYSO_MASTER_KEY=key).returncode == 0
    other = kyso(home, db_url, "quota", "sweep", KYSO_MASTER_KEY=_b64key())
    assert other.returncode == 2
    assert "KYSO_MASTER_KEY does not open" in " ".join(other.stderr.split())
    missing = kyso(home, db_url, "quota", "sweep")
    assert missing.returncode == 2 and "restore the master key" in " ".join(
        missing.stderr.split())
    assert not (home / "master.key").exists()


def test_a_master_key_file_outside_the_home(tmp_path: Path, db_url: str) -> None:
    home, key = tmp_path / "home", tmp_path / "secrets" / "master.key"
    done = kyso(home, db_url, "init", KYSO_MASTER_KEY_FILE=str(key))
    assert done.returncode == 0, done.stderr
    assert key.stat().st_mode & 0o777 == 0o600 and not (home / "master.key").exists()
    assert kyso(home, db_url, "audit", "verify",
                KYSO_MASTER_KEY_FILE=str(key)).returncode == 0
