"""KYSO_HOME is private (issue 11): ``kyso init`` makes it 0700 and every file 0600, even
under a permissive umask, repairs an existing home, and a production node refuses a home
others can read while a development one warns. SQLite (the database file is in the home),
or PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

from pathlib import Path

from tests.security.homes import home_database, kyso, modes

PRODUCTION = {"KYSO_MODE": "production", "KYSO_PUBLIC_BASE_URL": "https://ca.example.vn",
              "KYSO_EMAIL_BACKEND": "smtp", "KYSO_SMTP_STARTTLS": "true",
              "KYSO_SMS_BACKEND": "http",
              "KYSO_SMS_GATEWAY_URL": "https://sms.example.vn/send",
              "KYSO_PAYMENT_GATEWAY": "vnpay", "KYSO_VNPAY_TMN_CODE": "KYSO0001",
              "KYSO_VNPAY_HASH_SECRET": "x" * 32}


def _private(home: Path) -> None:
    found = modes(home)
    assert "master.key" in found
    for name, mode in found.items():
        wanted = 0o700 if (home / name).is_dir() else 0o600
        assert mode == wanted, f"{name}: {mode:o}"


def test_init_makes_a_private_home(tmp_path: Path, db_url: str) -> None:
    home, url = tmp_path / "home", home_database(db_url)
    done = kyso(home, url, "init")
    assert done.returncode == 0, done.stderr
    _private(home)
    if url is None:
        assert modes(home)["kyso.db"] == 0o600


def test_init_repairs_an_exposed_home(tmp_path: Path, db_url: str) -> None:
    home, db_url = tmp_path / "home", home_database(db_url)
    assert kyso(home, db_url, "init").returncode == 0
    home.chmod(0o755)
    (home / "documents").mkdir(mode=0o755)
    (home / "documents" / "old.pdf").write_bytes(b"%PDF-1.7")
    (home / "documents" / "old.pdf").chmod(0o664)
    warned = kyso(home, db_url, "quota", "sweep")  # development: warns and goes on
    assert warned.returncode == 0, warned.stderr
    assert "readable by others" in warned.stderr and "kyso init" in warned.stderr
    (home / "master.key").chmod(0o644)  # the key itself: refused even in development
    assert "must not be readable" in kyso(home, db_url, "quota", "sweep").stderr
    repaired = kyso(home, db_url, "init")
    assert repaired.returncode == 0, repaired.stderr
    assert "made private" in repaired.stdout
    _private(home)
    assert kyso(home, db_url, "quota", "sweep").stderr == ""


def test_production_refuses_a_home_others_can_read(tmp_path: Path, db_url: str) -> None:
    home, db_url = tmp_path / "home", home_database(db_url)
    key = tmp_path / "secrets" / "master.key"  # production: not beside the database
    production = PRODUCTION | {"KYSO_MASTER_KEY_FILE": str(key)}
    assert kyso(home, db_url, "init", KYSO_MASTER_KEY_FILE=str(key)).returncode == 0
    (home / "kyso.toml").write_text("")  # a file of the operator's
    (home / "kyso.toml").chmod(0o600)
    ok = kyso(home, db_url, "quota", "sweep", **production)
    assert ok.returncode == 0, ok.stderr
    (home / "kyso.toml").chmod(0o644)
    refused = kyso(home, db_url, "serve", "--port", "8199", **production)
    assert refused.returncode == 2
    assert "KYSO_HOME must be private" in refused.stderr and "kyso.toml" in refused.stderr
    home.chmod(0o711)
    (home / "kyso.toml").chmod(0o600)
    assert "KYSO_HOME must be private" in kyso(home, db_url, "quota", "sweep",
                                               **production).stderr
