"""The ``kyso`` command line as a person runs it: a real process, a real KYSO_HOME."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from kyso.adapters.db.engine import make_engine

KYSO = [sys.executable, "-m", "kyso"]


def run(
    home: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KYSO_")}
    environment["KYSO_DATABASE_URL"] = os.environ["KYSO_TEST_CLI_DB"]
    environment |= {"KYSO_HOME": str(home), "NO_COLOR": "1", "COLUMNS": "200",
                    "KYSO_ARGON2_MEMORY_KIB": "1024", "KYSO_ARGON2_TIME_COST": "1"} | env
    return subprocess.run([*KYSO, *args], input=stdin, capture_output=True, text=True,
                          env=environment, timeout=120, check=False)


@pytest.fixture
def home(tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A KYSO_HOME whose database is this test's (SQLite, or a PostgreSQL schema)."""
    monkeypatch.setenv("KYSO_TEST_CLI_DB", db_url)
    return tmp_path / "home"


def test_init_is_idempotent(home: Path) -> None:
    first = run(home, "init")
    assert first.returncode == 0, first.stderr
    key = home / "master.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    material = key.read_bytes()
    second = run(home, "init")
    assert second.returncode == 0 and key.read_bytes() == material


def test_admin_create_user_and_audit_verify(home: Path) -> None:
    created = run(home, "admin", "create-user", "--username", "ra.an", "--full-name",
                  "Lê Thị Hoa", "--phone", "0901000001", "--email", "hoa@ca.example.vn",
                  "--role", "ra_officer", stdin="Matkhau2026!\nMatkhau2026!\n246813\n246813\n")
    assert created.returncode == 0, created.stderr
    assert "ra_officer" in created.stdout
    verified = run(home, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "1" in verified.stdout


def test_audit_verify_names_the_tampered_record(home: Path, db_url: str) -> None:
    for n in range(3):
        r = run(home, "admin", "create-user", "--username", f"staff{n}", "--full-name", "Staff",
                "--phone", f"090100000{n}", "--email", f"s{n}@ca.example.vn",
                stdin="Matkhau2026!\nMatkhau2026!\n246813\n246813\n")
        assert r.returncode == 0, r.stderr
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE audit_records SET actor = 'mallory' WHERE seq = 2"))
    engine.dispose()
    broken = run(home, "audit", "verify")
    assert broken.returncode == 1
    assert "2" in broken.stdout + broken.stderr


def test_bad_input_gives_clear_message_and_nonzero_exit(home: Path) -> None:
    weak = run(home, "admin", "create-user", "--username", "x1y", "--full-name", "X",
               "--phone", "0901000009", "--email", "x@ca.example.vn",
               stdin="Matkhau2026!\nMatkhau2026!\n123456\n123456\n")
    assert weak.returncode != 0 and "PIN" in weak.stderr and "Traceback" not in weak.stderr
    unknown = run(home, "init", KYSO_NO_SUCH_SETTING="1")
    assert unknown.returncode == 2 and "KYSO_NO_SUCH_SETTING" in unknown.stderr


@pytest.mark.parametrize("args", [["--help"], ["admin", "--help"], ["audit", "--help"]])
def test_help(home: Path, args: list[str]) -> None:
    result = run(home, *args)
    assert result.returncode == 0 and "Usage" in result.stdout


def test_support_lock_and_unlock(home: Path) -> None:
    staff = ["--full-name", "Khách Hàng", "--phone", "0901000007", "--email", "kh@example.vn",
             "--role", "customer"]
    created = run(home, "admin", "create-user", "--username", "khach7", *staff,
                  stdin="Matkhau2026!\nMatkhau2026!\n246813\n246813\n")
    assert created.returncode == 0, created.stderr
    locked = run(home, "support", "lock", "0901000007", "sms", "--reason", "nghi giả mạo")
    assert locked.returncode == 0, locked.stderr
    unlocked = run(home, "support", "unlock", "khach7", "sms", "--reason", "đã xác minh")
    assert unlocked.returncode == 0, unlocked.stderr
    missing = run(home, "support", "lock", "nobody", "sms", "--reason", "x y z")
    assert missing.returncode == 1 and "nobody" in missing.stderr
    bad_method = run(home, "support", "lock", "khach7", "pigeon", "--reason", "x y z")
    assert bad_method.returncode == 2
    audit = run(home, "audit", "verify")
    assert audit.returncode == 0
