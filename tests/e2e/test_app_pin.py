"""``kyso app``: change the SmartOTP PIN (checked online), forgot PIN, a new device."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.harness import (
    ACCOUNT_PIN,
    SMARTOTP_PIN,
    Server,
    drive_register,
    new_customer,
    otp_json,
    register,
)

NEW_PIN = "864209"


def test_change_pin_checks_the_old_pin_online(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    before = customer.state()["token"]
    assert customer.verify(otp_json(customer)["code"]).status_code == 204  # this step is spent

    wrong = customer.run("change-pin", stdin=f"975318\n{NEW_PIN}\n{NEW_PIN}\n")
    assert wrong.returncode == 1 and "PIN SmartOTP cũ không đúng" in wrong.stderr
    assert customer.state()["token"] == before  # nothing re-locked
    one_failure = customer.server.api("GET", "/smartotp", customer.session()).json()
    assert one_failure["status"] == "active"  # counted by the server, far from the lock

    changed = customer.run("change-pin", stdin=f"{SMARTOTP_PIN}\n{NEW_PIN}\n{NEW_PIN}\n")
    assert changed.returncode == 0, changed.stderr
    assert "PIN SmartOTP cũ đúng" in changed.stderr and "Đã đổi PIN SmartOTP" in changed.stdout
    after = customer.state()["token"]
    assert after["locked_seed"]["salt"] != before["locked_seed"]["salt"]
    assert NEW_PIN not in (customer.home / "state.json").read_text()

    # the old PIN was proven by a one-time challenge, so the spent time step did not get in
    # the way; the next step's code made with the new PIN verifies, one made with the old not
    customer.set_clock_offset(30)
    assert customer.verify(otp_json(customer, NEW_PIN)["code"]).status_code == 204
    customer.set_clock_offset(60)
    old_pin_code = otp_json(customer, SMARTOTP_PIN)["code"]
    assert customer.verify(old_pin_code).status_code == 400


def test_change_pin_refuses_the_same_or_a_weak_new_pin(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    tries = f"{SMARTOTP_PIN}\n{SMARTOTP_PIN}\n111111\n{NEW_PIN}\n975318\n"
    refused = customer.run("change-pin", stdin=tries)
    assert refused.returncode == 1
    for text in ("khác PIN cũ", "PIN SmartOTP phải có từ 6", "không khớp"):
        assert text in refused.stderr
    assert "Traceback" not in refused.stderr


def test_forgot_pin_wipes_the_token_and_register_again(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    old_code = otp_json(customer)["code"]

    p = customer.start("forgot-pin")
    p.expect("PIN tài khoản")
    p.send(ACCOUNT_PIN)
    p.expect("Nhập mã OTP")
    p.send(customer.code("PIN_RESET"))
    p.expect("Quý khách vui lòng đăng ký lại SmartOTP")
    p.expect("Đăng ký lại SmartOTP ngay bây giờ?")
    p.send("c")
    drive_register(p, customer, NEW_PIN)
    assert p.finish() == 0, p.output
    assert customer.verify(old_code).status_code == 400
    assert customer.verify(otp_json(customer, NEW_PIN)["code"]).status_code == 204


def test_forgot_pin_without_registering_again(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    p = customer.start("forgot-pin", "--pin-stdin")
    p.send(ACCOUNT_PIN)
    p.expect("Nhập mã OTP")
    p.send("r")
    p.expect("Vui lòng đợi")
    p.send(customer.code("PIN_RESET"))
    p.expect("Đăng ký lại SmartOTP ngay bây giờ?")
    p.send("k")
    assert p.finish() == 0, p.output
    status = json.loads(customer.run("status", "--json").stdout)
    assert not status["has_token"] and status["remote"]["status"] == "none"
    assert status["remote"]["otp_method"] == "sms"


def test_a_new_device_revokes_the_old_one(server: Server, tmp_path: Path) -> None:
    old = new_customer(server, tmp_path / "old-phone")
    register(old)
    new = type(old)(server, tmp_path / "new-phone", old.username, old.phone, old.seen)
    assert new.run("login", "--login", new.username, stdin="Matkhau2026!\n").returncode == 0
    register(new, NEW_PIN)
    assert old.verify(otp_json(old)["code"]).status_code == 400
    refused = old.run("code", "--once", stdin=f"{SMARTOTP_PIN}\n")
    assert refused.returncode == 1 and "không được kích hoạt trên thiết bị này" in refused.stderr
    assert new.verify(otp_json(new, NEW_PIN)["code"]).status_code == 204
