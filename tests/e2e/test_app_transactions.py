"""``kyso app``: giải pháp 3 (codes bound to a transaction), the OTP method and its lock."""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.harness import (
    ACCOUNT_PIN,
    SMARTOTP_PIN,
    Customer,
    Server,
    new_customer,
    otp_json,
    register,
)


def _me(customer: Customer) -> dict[str, str]:
    return dict(customer.server.api("GET", "/me", customer.session()).json())


def _new_phone(customer: Customer) -> str:
    return "0987" + customer.phone[-6:]


def test_contact_change_fills_in_the_transaction_code(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    done = customer.run("contact-change", "--phone", _new_phone(customer), "--pin-stdin",
                        stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 0, done.stderr
    new_phone = "+84" + _new_phone(customer)[1:]
    assert "Thay đổi thông tin liên hệ" in done.stdout and new_phone in done.stdout
    assert "Đã tự động ghi nhận mã OTP" in done.stderr and "Đã xác nhận giao dịch" in done.stdout
    assert _me(customer)["phone"] == new_phone


def test_wrong_pin_is_refused_then_confirm_and_reject_by_id(server: Server,
                                                            tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    wrong = customer.run("contact-change", "--email", "moi@example.vn", stdin="975318\n")
    assert wrong.returncode == 1 and "Mã OTP không đúng" in wrong.stderr
    assert "Traceback" not in wrong.stderr

    listed = customer.run("transactions", "--json")
    [tx] = json.loads(listed.stdout)
    assert tx["kind"] == "contact_change" and tx["details"]["email"] == "moi@example.vn"
    table = customer.run("transactions")
    assert tx["id"] in table.stdout and "moi@example.vn" in table.stdout
    confirmed = customer.run("confirm", tx["id"], stdin=f"{SMARTOTP_PIN}\n")
    assert confirmed.returncode == 0, confirmed.stderr
    assert "moi@example.vn" in confirmed.stdout  # every detail shown before the PIN
    assert _me(customer)["email"] == "moi@example.vn"
    again = customer.run("confirm", tx["id"], stdin=f"{SMARTOTP_PIN}\n")
    assert again.returncode == 1 and "không còn chờ xác nhận" in again.stderr

    other = customer.server.api("POST", "/me/contact-change", customer.session(),
                                json={"email": "khac@example.vn"}).json()
    rejected = customer.run("reject", other["id"])
    assert rejected.returncode == 0 and "Đã từ chối giao dịch" in rejected.stdout
    assert customer.run("transactions").stdout.count("khac@example.vn") == 0
    assert _me(customer)["email"] == "moi@example.vn"


def test_sms_method_confirms_with_the_sms_code(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    switched = customer.run("method", "sms", "--pin-stdin", stdin=f"{ACCOUNT_PIN}\n")
    assert switched.returncode == 0 and "sms" in switched.stdout, switched.stderr
    p = customer.start("contact-change", "--email", "sms@example.vn")
    p.expect("Nhập mã OTP đã gửi qua SMS")
    p.send(customer.code("CONTACT_CHANGE"))
    p.expect("Đã xác nhận giao dịch")
    assert p.finish() == 0, p.output
    assert _me(customer)["email"] == "sms@example.vn"

    back = customer.run("method", "smartotp", stdin=f"{ACCOUNT_PIN}\n")
    assert back.returncode == 0 and "smartotp" in back.stdout
    status = json.loads(customer.run("status", "--json").stdout)
    assert status["remote"]["otp_method"] == "smartotp"
    wrong_pin = customer.run("method", "sms", stdin="975318\n")
    assert wrong_pin.returncode == 1 and "PIN tài khoản không đúng" in wrong_pin.stderr


def test_locked_method_cannot_be_used_or_chosen(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    register(customer)
    locked = customer.run("lock", "smartotp", stdin=f"{ACCOUNT_PIN}\n")
    assert locked.returncode == 0 and "tạm khóa" in locked.stdout, locked.stderr
    status = json.loads(customer.run("status", "--json").stdout)
    assert status["remote"]["methods"]["smartotp"]["locked"] is True
    refused = customer.verify(otp_json(customer)["code"])
    assert refused.status_code == 423 and refused.json()["error"] == "method_locked"
    chosen = customer.run("method", "smartotp", stdin=f"{ACCOUNT_PIN}\n")
    assert chosen.returncode == 1 and "Traceback" not in chosen.stderr
    assert "khóa" in chosen.stderr
