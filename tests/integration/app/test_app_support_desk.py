"""``kyso app`` (typer's runner, against a live server whose operator set the support desk)
gives the desk's phone and email: in ``about`` and the help, after locking a method, in the
status of a locked account, and in a refusal only the desk can lift."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kyso.bootstrap import bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.entrypoints.cli.app import app
from tests.conftest import FAST_HASHER
from tests.integration.api.conftest import PASSWORD, PIN, sign_up
from tests.integration.pki.conftest import LiveServer


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("desk")
    live = LiveServer()
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'kyso.db'}",
                        public_base_url=live.url, support_phone="1900 54 54 54",
                        support_email="hotro@ca.example.vn")
    init_home(settings)
    container = bootstrap(settings, clock=ManualClock(datetime.now(UTC)), hasher=FAST_HASHER)
    try:
        with TestClient(create_app(container)) as client:
            sign_up(client)  # khach1
        with live.serving(create_app(container)) as url:
            yield url
    finally:
        container.close()


def run(home: Path, server: str, *args: str, stdin: str = "") -> tuple[int, str, str]:
    env = {"KYSO_APP_HOME": str(home), "KYSO_APP_SERVER": server, "KYSO_APP_LANG": "vi",
           "KYSO_APP_KDF_MEMORY_KIB": "1024", "COLUMNS": "200", "NO_COLOR": "1"}
    result = CliRunner().invoke(app, list(args), env=env, input=stdin)
    return result.exit_code, result.stdout, result.stderr


def test_about_and_the_help_give_the_support_desk(tmp_path: Path, server: str) -> None:
    code, out, _ = run(tmp_path, server, "about")
    assert code == 0, out
    assert "Tổng đài hỗ trợ: 1900 54 54 54" in out and "Email hỗ trợ: hotro@ca.example.vn" in out
    code, out, _ = run(tmp_path, server, "--help")
    assert code == 0 and "kyso app about" in out
    assert "about" in out.split("Commands")[-1]  # listed among the commands


def test_a_lock_and_a_lock_out_say_whom_to_call(tmp_path: Path, server: str) -> None:
    code, _, err = run(tmp_path, server, "login", "--login", "khach1", stdin=f"{PASSWORD}\n")
    assert code == 0, err
    code, out, err = run(tmp_path, server, "lock", "sms", stdin=f"{PIN}\n")
    assert code == 0, err
    assert ("Đã tạm khóa phương thức sms. Để mở khóa, Quý khách vui lòng liên hệ tổng đài hỗ "
            "trợ 1900 54 54 54 (email hotro@ca.example.vn).") in " ".join(out.split())
    code, out, err = run(tmp_path, server, "status")
    assert code == 0 and "Tổng đài hỗ trợ: 1900 54 54 54" in err, (out, err)
    table = " ".join(out.split())  # the server's words for its codes, never the codes
    assert "Trạng thái SmartOTP Chưa đăng ký" in table and "Phương thức SMS OTP tạm khóa" in table
    assert not {"none", "sms", "smartotp"} & set(table.split()), table
    code, _, err = run(tmp_path, server, "method", "sms", stdin=f"{PIN}\n")
    said = " ".join(err.split())  # the server's refusal names the desk; said once, not twice
    assert code == 1 and "liên hệ tổng đài hỗ trợ 1900 54 54 54" in said, err
    assert said.count("1900 54 54 54") == 1, err


def test_about_offline_gives_the_desk_kept_from_last_time(tmp_path: Path, server: str) -> None:
    """A customer with no network still learns whom to call: the desk the server published
    last time, kept on the device (never another server's desk)."""
    code, out, _ = run(tmp_path, server, "about")  # online: heard and kept
    assert code == 0 and "1900 54 54 54" in out, out
    offline = "http://127.0.0.1:9"  # the discard port: nothing answers
    code, out, err = run(tmp_path, offline, "about")  # another server: nothing kept for it
    assert code == 0 and "1900 54 54 54" not in out + err, (out, err)
    assert "Chưa lấy được thông tin tổng đài hỗ trợ" in err, err
    state = tmp_path / "state.json"
    kept = state.read_text(encoding="utf-8")
    state.write_text(kept.replace(server, offline), encoding="utf-8")  # the same server, down
    code, out, err = run(tmp_path, offline, "about")
    assert code == 0, (out, err)
    assert "thông tin đã lưu trên thiết bị này từ lần trước" in " ".join(err.split()), err
    assert "Tổng đài hỗ trợ: 1900 54 54 54" in out and "Email hỗ trợ: hotro@ca.example.vn" in out
