"""``kyso app signup`` against a live ``kyso serve``: the codes come from the dev inbox (the
phone's SMS and the mailbox), a wrong code is refused and asked again, then the device holds
a session of the new, active account."""

from __future__ import annotations

import os
import struct
import uuid
from pathlib import Path

from tests.e2e.harness import (
    ACCOUNT_PIN,
    KYSO,
    PASSWORD,
    AppProcess,
    Server,
    approve_registration,
    clean_env,
    new_citizen,
    new_customer,
    submit_registration,
)


def test_signup_with_the_codes_then_logged_in(server: Server, tmp_path: Path) -> None:
    n = uuid.uuid4().int % 10**8
    phone, email = f"+849{n:08d}", f"moi{n}@example.vn"
    env = clean_env(KYSO_APP_HOME=str(tmp_path / "phone"), KYSO_APP_SERVER=server.url,
                    KYSO_APP_KDF_MEMORY_KIB="1024")
    p = AppProcess([*KYSO, "app", "signup"], env)
    for prompt, answer in (("Họ và tên", "Phạm Minh Đức"), ("Số điện thoại", f"09{n:08d}"),
                           ("Email", email), ("Mật khẩu", PASSWORD),
                           ("Mã PIN tài khoản", ACCOUNT_PIN), ("Nhập lại mã PIN", ACCOUNT_PIN)):
        p.expect(prompt)
        p.send(answer)
    seen: set[str] = set()
    p.expect("Nhập mã xác minh đã gửi qua SMS")
    p.send(server.wait_code(phone, "SIGNUP_PHONE", seen))
    p.expect("qua email")
    p.send("000000")
    p.expect("Mã OTP không đúng")
    p.expect("qua SMS")
    p.send("")  # the SMS code was right: Enter keeps it
    p.expect("qua email")
    p.send(server.wait_code(email, "SIGNUP_EMAIL", seen))
    p.expect("Đã kích hoạt tài khoản và đăng nhập")
    assert p.finish() == 0, p.output
    status = AppProcess([*KYSO, "app", "status", "--json"], env)
    assert status.finish() == 0
    assert '"login": "kh-' in status.output


def test_forgot_password_and_account_pin_from_the_app(server: Server, tmp_path: Path) -> None:
    customer = new_customer(server, tmp_path / "phone")
    env = clean_env(KYSO_APP_HOME=str(customer.home), KYSO_APP_SERVER=server.url,
                    KYSO_APP_KDF_MEMORY_KIB="1024")
    p = AppProcess([*KYSO, "app", "forgot-password", "--login", customer.phone], env)
    p.expect("mã đã được gửi tới số điện thoại")
    p.expect("Nhập mã xác minh")
    p.send(customer.code("PASSWORD_RESET"))
    for prompt, answer in (("PIN tài khoản", ACCOUNT_PIN), ("Mật khẩu", "Doimatkhau2027"),
                           ("Nhập lại mật khẩu mới", "Doimatkhau2027")):
        p.expect(prompt)
        p.send(answer)
    p.expect("Đã đặt lại mật khẩu")
    assert p.finish() == 0, p.output
    assert customer.run("login", "--login", customer.phone,
                        stdin="Doimatkhau2027\n").returncode == 0
    p = AppProcess([*KYSO, "app", "account-pin", "--forgot"], env)
    for prompt, answer in (("Mật khẩu", "Doimatkhau2027"), ("Mã PIN tài khoản (6", "358024"),
                           ("Nhập lại mã PIN", "358024")):
        p.expect(prompt)
        p.send(answer)
    p.expect("Nhập mã OTP đã gửi qua SMS")
    p.send(customer.code("ACCOUNT_PIN_RESET"))
    p.expect("Đã đổi mã PIN tài khoản")
    assert p.finish() == 0, p.output
    token = server.api("POST", "/auth/login", json={"login": customer.phone,
                                                    "password": "Doimatkhau2027"})
    session = token.json()["access_token"]
    old_pin = server.api("PUT", "/me/otp-method", session, json={"method": "sms",
                                                                 "pin": ACCOUNT_PIN})
    assert old_pin.status_code == 401 and old_pin.json()["error"] == "invalid_pin"
    new_pin = server.api("PUT", "/me/otp-method", session, json={"method": "sms", "pin": "358024"})
    assert new_pin.status_code == 200, new_pin.text


def test_both_secrets_lost_recovered_from_the_app(server: Server, tmp_path: Path) -> None:
    """``kyso app recover-identity``: the phone's code and the ID images go to an officer
    (here through the API), who compares them with the approved registration's, then
    ``--complete`` sets a new password and account PIN."""
    number = f"001091{uuid.uuid4().int % 10**6:06d}"
    customer = new_citizen(server, tmp_path / "phone", number, "Nguyễn Văn An")[0]
    submit_registration(customer, number, "Nguyễn Văn An", tmp_path)
    approve_registration(server, number, "thamdinh19", "0900000020")
    env = clean_env(KYSO_APP_HOME=str(customer.home), KYSO_APP_SERVER=server.url,
                    KYSO_APP_KDF_MEMORY_KIB="1024")
    images = []
    for n in range(3):
        path = tmp_path / f"anh{n}.png"
        path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR" + struct.pack(">II", 640, 480)
                         + os.urandom(64))
        images.append(str(path))
    p = AppProcess([*KYSO, "app", "recover-identity", "--login", customer.phone], env)
    p.expect("mã xác minh đã được gửi tới số điện thoại")
    p.expect("Nhập mã xác minh")
    p.send(customer.code("IDENTITY_RECOVERY"))
    for prompt, answer in zip(("mặt trước", "mặt sau", "chân dung"), images, strict=True):
        p.expect(prompt)
        p.send(answer)
    p.expect("Đã gửi yêu cầu khôi phục tài khoản; cán bộ sẽ đối chiếu")
    assert p.finish() == 0, p.output

    made = server.kyso("admin", "create-user", "--username", "hotro9", "--full-name",
                       "Cán bộ hỗ trợ", "--phone", "0900000019", "--email", "ht9@ca.vn",
                       "--role", "support",
                       stdin=f"{PASSWORD}\n{PASSWORD}\n{ACCOUNT_PIN}\n{ACCOUNT_PIN}\n")
    assert made.returncode == 0, made.stderr
    staff = server.api("POST", "/auth/login", json={"login": "hotro9", "password": PASSWORD})
    token = staff.json()["access_token"]
    [case] = server.api("GET", "/ra/recoveries", token).json()
    assert server.api("POST", f"/ra/recoveries/{case['id']}/approve", token).status_code == 200

    p = AppProcess([*KYSO, "app", "recover-identity", "--complete", "--login", customer.phone],
                   env)
    p.expect("Nhập mã khôi phục (8 chữ số)")
    p.send(customer.code("ACCOUNT_SECURITY"))
    for prompt, answer in (("Mật khẩu", "Khoiphuc2027"), ("Nhập lại mật khẩu mới", "Khoiphuc2027"),
                           ("Mã PIN tài khoản (6", "580314"), ("Nhập lại mã PIN", "580314")):
        p.expect(prompt)
        p.send(answer)
    p.expect("Đã đặt lại mật khẩu và mã PIN tài khoản")
    assert p.finish() == 0, p.output
    session = server.api("POST", "/auth/login", json={"login": customer.phone,
                                                      "password": "Khoiphuc2027"})
    assert session.status_code == 200, session.text
    new_pin = server.api("PUT", "/me/otp-method", session.json()["access_token"],
                         json={"method": "sms", "pin": "580314"})
    assert new_pin.status_code != 401, new_pin.text  # the new account PIN is taken
