"""``kyso app``: login, register (with resend), codes without and with login, status, errors."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from tests.e2e.harness import (
    ACCOUNT_PIN,
    PASSWORD,
    SMARTOTP_PIN,
    Server,
    new_customer,
    otp_json,
    register,
)


def test_register_then_offline_code_verifies_on_the_server(server: Server,
                                                           tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    state_text = (customer.home / "state.json").read_text()
    assert SMARTOTP_PIN not in state_text and ACCOUNT_PIN not in state_text
    assert "seed_b32" not in state_text

    offline = customer.run("otp", "--once", "--pin-stdin", stdin=f"{SMARTOTP_PIN}\n",
                           KYSO_APP_SERVER="http://127.0.0.1:9")  # giải pháp 1: no server
    assert offline.returncode == 0, offline.stderr
    code = re.search(r"Mã OTP: (\d{6})", offline.stdout)
    assert code, offline.stdout
    assert customer.verify(code.group(1)).status_code == 204


def test_wrong_pin_gives_a_wrong_code_that_the_server_refuses(server: Server,
                                                              tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    right = otp_json(customer)
    wrong = otp_json(customer, "975318")
    assert re.fullmatch(r"\d{6}", wrong["code"])
    if wrong["counter"] == right["counter"]:
        assert wrong["code"] != right["code"]
    refused = customer.verify(wrong["code"])
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_otp"
    assert customer.verify(otp_json(customer)["code"]).status_code == 204


def test_register_offers_resend_and_respects_the_cool_down(server: Server,
                                                           tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    p = customer.start("smartotp-register", "--accept-terms")
    p.expect("PIN tài khoản")
    p.send(ACCOUNT_PIN)
    p.expect("gõ r để Gửi lại OTP")
    customer.code("SMARTOTP_REGISTER")
    p.send("r")
    p.expect("Vui lòng đợi")  # the server's resend_after (2 s here) is respected
    time.sleep(2.2)
    p.send("r")
    p.expect("Đã gửi mã OTP")
    second = customer.code("SMARTOTP_REGISTER")  # a new message; the first code is void
    p.expect("gõ r để Gửi lại OTP")
    p.send(second)
    p.expect("Nhập mã kích hoạt")
    p.send(customer.code("SMARTOTP_ACTIVATION"))
    p.send(SMARTOTP_PIN)
    p.send(SMARTOTP_PIN)
    assert p.finish() == 0, p.output
    assert customer.state()["token"] is not None


def test_register_refused_terms_and_weak_pin(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    refused = customer.run("smartotp-register", stdin="k\n")
    assert refused.returncode == 1 and "chưa đồng ý với Điều khoản" in refused.stderr
    p = customer.start("smartotp-register")
    p.expect("Tôi đã đọc và đồng ý")
    p.send("c")
    p.expect("PIN tài khoản")
    p.send(ACCOUNT_PIN)
    p.expect("Nhập mã OTP")
    p.send(customer.code("SMARTOTP_REGISTER"))
    p.expect("Nhập mã kích hoạt")
    p.send(customer.code("SMARTOTP_ACTIVATION"))
    for first, second in (("123456", None), (SMARTOTP_PIN, "975318")):
        p.expect("Thiết lập PIN SmartOTP mới")
        p.send(first)
        if second:
            p.expect("Xác nhận lại")
            p.send(second)
    p.expect("Hai lần nhập PIN SmartOTP không khớp")
    p.expect("Thiết lập PIN SmartOTP mới")
    p.send(SMARTOTP_PIN)
    p.send(SMARTOTP_PIN)
    p.expect("Đăng ký SmartOTP thành công")
    assert p.finish() == 0
    assert "Traceback" not in p.output and "PIN SmartOTP phải có từ 6" in p.output


def test_logged_in_code_status_and_logout(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    customer.set_clock_offset(150)  # a clock five steps fast: giải pháp 2 syncs it first
    shown = customer.run("code", "--json", "--pin-stdin", stdin=f"{SMARTOTP_PIN}\n")
    assert shown.returncode == 0, shown.stderr
    assert abs(customer.state()["clock_offset"]) < 5
    assert customer.verify(json.loads(shown.stdout)["code"]).status_code == 204

    status = customer.run("status", "--json")
    report = json.loads(status.stdout)
    assert report["has_token"] and report["login"] == customer.username
    assert report["remote"]["status"] == "active"
    assert report["remote"]["device_id"] == report["device_id"]
    assert report["remote"]["otp_method"] == "smartotp"
    table = customer.run("status")
    assert "Trạng thái SmartOTP / SmartOTP status" in table.stdout
    english = customer.run("--lang", "en", "status")
    assert "SmartOTP status" in english.stdout and "Trạng thái" not in english.stdout

    assert customer.run("logout").returncode == 0
    gone = customer.run("code", "--once", stdin=f"{SMARTOTP_PIN}\n")
    assert gone.returncode == 1 and "Quý khách chưa đăng nhập" in gone.stderr
    still = customer.run("otp", "--once", stdin=f"{SMARTOTP_PIN}\n")  # giải pháp 1 needs none
    assert still.returncode == 0 and "Mã OTP:" in still.stdout


def test_errors_are_clear_and_never_tracebacks(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone", login=False)
    wrong = customer.run("login", "--login", customer.username, stdin="Sai-mat-khau1\n")
    assert wrong.returncode == 1 and "mật khẩu không đúng" in wrong.stderr
    assert customer.run("--lang", "en", "login", "--login", customer.username,
                        stdin="nope\n").stderr.count("Wrong login name or password") == 1
    no_session = customer.run("transactions")
    assert no_session.returncode == 1 and "kyso app login" in no_session.stderr
    no_token = customer.run("otp", "--once", stdin="135792\n")
    assert no_token.returncode == 1 and "kyso app smartotp-register" in no_token.stderr
    down = customer.run("sync", KYSO_APP_SERVER="http://127.0.0.1:9")
    assert down.returncode == 1 and "Không kết nối được máy chủ" in down.stderr
    bad = customer.run("sync", KYSO_APP_SERVER="ftp://example.vn")
    assert bad.returncode == 1 and "http://" in bad.stderr
    ended = customer.run("login", "--login", customer.username, stdin="")
    assert ended.returncode == 1 and "stdin" in ended.stderr
    ok = customer.run("login", "--login", customer.username, stdin=f"{PASSWORD}\n")
    assert ok.returncode == 0
    for result in (wrong, no_session, no_token, down, bad, ended):
        assert "Traceback" not in result.stderr + result.stdout
