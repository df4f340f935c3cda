"""``kyso app signup`` against a live ``kyso serve``: the codes come from the dev inbox (the
phone's SMS and the mailbox), a wrong code is refused and asked again, then the device holds
a session of the new, active account."""

from __future__ import annotations

import uuid
from pathlib import Path

from tests.e2e.harness import ACCOUNT_PIN, KYSO, PASSWORD, AppProcess, Server, clean_env


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
