"""A newcomer's journeys in Chromium on a phone: sign-up from the login page with the codes
sent to the phone and the email, and the refusals a person meets on the way."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect

from tests.integration.api.conftest import PASSWORD, PIN, last_code
from tests.integration.api.smartotp_helpers import enrol
from tests.integration.documents.conftest import World
from tests.integration.onboarding.test_flow import png
from tests.web.conftest import Watched, log_in, nav_to, shot


def pending_id(world: World, phone: str) -> str:
    with world.container.uow() as uow:
        account = uow.accounts.find_by_login(phone)
    assert account is not None
    return account.id


def test_a_newcomer_signs_up_with_codes_and_lands_logged_in(page: Watched, world: World) -> None:
    p = page.page
    p.goto("/")
    p.get_by_role("link", name="Đăng ký tài khoản").click()
    expect(p.get_by_role("heading", name="Đăng ký tài khoản")).to_be_visible()
    p.get_by_label("Họ và tên").fill("Lê Thị Hoa")
    p.get_by_label("Số điện thoại").fill("0977000111")
    p.get_by_label("Email").fill("hoa@example.vn")
    p.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    p.get_by_label("Mã PIN tài khoản (6 chữ số)").fill("123456")
    p.get_by_label("Nhập lại mã PIN tài khoản").fill("123456")
    shot(p, "signup-form")
    p.get_by_role("button", name="Đăng ký", exact=True).click()
    expect(p.get_by_role("alert")).to_contain_text("không gồm các số giống nhau hoặc liên tiếp")
    p.get_by_label("Mã PIN tài khoản (6 chữ số)").fill(PIN)
    p.get_by_label("Nhập lại mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Đăng ký", exact=True).click()
    expect(p.get_by_role("heading", name="Xác minh số điện thoại và email")).to_be_visible()
    expect(p.locator("main")).to_contain_text("+849******11")
    signup = pending_id(world, "+84977000111")
    p.get_by_label("Mã gửi qua SMS tới +849******11").fill(
        last_code(world.container, signup, "SIGNUP_PHONE"))
    p.get_by_label("Mã gửi qua email tới h**@example.vn").fill("000000")
    shot(p, "signup-codes")
    p.get_by_role("button", name="Xác minh và kích hoạt tài khoản").click()
    expect(p.get_by_role("alert")).to_contain_text("Mã OTP không đúng")
    p.get_by_label("Mã gửi qua email tới h**@example.vn").fill(
        last_code(world.container, signup, "SIGNUP_EMAIL"))
    p.get_by_role("button", name="Xác minh và kích hoạt tài khoản").click()
    expect(p.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(p.locator(".who")).to_have_text("Lê Thị Hoa")
    expect(p.locator("main")).to_contain_text("Chào mừng Quý khách đến với kyso")
    shot(p, "signup-done-home")
    p.goto("/#account")  # the generated login code is told as what it is, phone and email first
    details = p.locator("main .card").first
    expect(details).to_contain_text("Đăng nhập bằngSố điện thoại hoặc email ở trên")
    expect(details.locator("#login-code code")).to_have_text(re.compile(r"^kh-[0-9a-f]{12}$"))
    expect(details).to_contain_text("Mã đăng nhập do kyso cấp")
    expect(details).not_to_contain_text("Tên đăng nhập")
    shot(p, "signup-account")


def test_a_forgotten_password_from_the_login_page(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer()
    account = world.container.accounts.get(customer.account_id)
    p.goto("/")
    p.get_by_role("link", name="Quên mật khẩu").click()
    expect(p.get_by_role("heading", name="Quên mật khẩu")).to_be_visible()
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(account.email)
    p.get_by_label("Email đã đăng ký").check()
    shot(p, "forgot-password-ask")
    p.get_by_role("button", name="Gửi mã").click()
    expect(p.get_by_label("Mã xác minh")).to_be_visible()
    code = last_code(world.container, account.id, "PASSWORD_RESET")
    p.get_by_label("Mã xác minh").fill(code)
    p.get_by_label("Mã PIN tài khoản").fill("975310")
    p.get_by_label("Mật khẩu mới", exact=True).fill("Doimatkhau2027")
    p.get_by_label("Nhập lại mật khẩu mới").fill("Doimatkhau2027")
    p.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(p.get_by_role("alert")).to_contain_text("Mã PIN tài khoản không đúng")
    shot(p, "forgot-password-wrong-pin")
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(p.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    expect(p.locator("main")).to_contain_text("Đã đặt lại mật khẩu")
    shot(p, "forgot-password-done")
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(account.email)
    p.get_by_label("Mật khẩu", exact=True).fill("Doimatkhau2027")
    p.get_by_role("button", name="Đăng nhập").click()
    expect(p.get_by_role("button", name="Đăng xuất")).to_be_visible()


def test_the_account_pin_is_changed_in_the_account_page(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer()
    account = world.container.accounts.get(customer.account_id)
    log_in(p, account.username, PASSWORD)
    p.goto("/#account")
    form = p.locator("form", has=p.get_by_role("heading", name="Đổi mã PIN tài khoản"))
    form.get_by_role("button", name="Gửi mã OTP qua SMS").click()
    expect(form.get_by_role("status")).to_contain_text("Đã gửi mã OTP")
    form.get_by_label("Mã PIN tài khoản hiện tại").fill(PIN)
    form.get_by_label("Mã PIN tài khoản mới").fill("358024")
    form.get_by_label("Mã OTP gửi qua SMS").fill(last_code(world.container, account.id,
                                                          "PIN_CHANGE"))
    form.get_by_role("button", name="Đổi mã PIN").click()
    expect(form.get_by_role("status")).to_contain_text("Đã đổi mã PIN tài khoản")
    form.scroll_into_view_if_needed()
    shot(p, "account-pin-changed")
    with world.container.uow() as uow:
        changed = uow.accounts.get(account.id)
    assert changed is not None and world.container.hasher.verify(changed.pin_hash, "358024")


def _registered_customer(world: World) -> tuple[str, str, dict[str, str]]:
    """A customer with SmartOTP (the registration needs it) and the form's values."""
    n = uuid.uuid4().int % 10**6
    name = f"tra{n}"
    body = {"username": name, "password": PASSWORD, "pin": PIN, "full_name": "Vũ Văn Nam",
            "phone": f"096{n:07d}", "email": f"{name}@example.vn"}
    account = world.client.post("/api/v1/accounts", json=body).json()
    token = world.client.post("/api/v1/auth/login",
                              json={"login": name, "password": PASSWORD}).json()["access_token"]
    enrol(world.client, world.container, token, account["id"], world.clock,
          device_id=f"pay-device-{n}")
    today = world.clock.now().date()
    values = {"Họ và tên": "Vũ Văn Nam", "Ngày sinh": "06/05/1990",
              "Số giấy tờ": f"001090{n:06d}", "Ngày cấp": f"{today - timedelta(days=400):%d/%m/%Y}",
              "Ngày hết hạn (nếu có)": f"{today + timedelta(days=3000):%d/%m/%Y}",
              "Số điện thoại": body["phone"], "Email": body["email"],
              "Địa chỉ": "5 Lý Thường Kiệt", "Phường/Xã": "Hoàn Kiếm", "Tỉnh/Thành phố": "Hà Nội"}
    return account["id"], name, values


def test_a_cancelled_payment_then_a_good_one_in_the_registration(page: Watched,
                                                                  world: World) -> None:
    account_id, name, values = _registered_customer(world)
    p = page.page
    log_in(p, name, PASSWORD)
    nav_to(p, "Đăng ký chứng thư số")
    form = p.locator("#ob-form")
    for label, value in values.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("Gói dịch vụ").select_option("per-signature-1y")
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    p.get_by_role("button", name="Thanh toán", exact=True).click()
    p.wait_for_url(re.compile(r".*/sandbox/.*"))
    shot(p, "sandbox-pay-phone")
    p.get_by_role("button", name="Hủy giao dịch").click()
    expect(p.get_by_text("Quý khách đã hủy giao dịch.")).to_be_visible()
    shot(p, "payment-return-cancelled")
    p.get_by_role("link", name="Quay lại hồ sơ đăng ký để thanh toán lại").click()
    expect(p.locator("#ob-payment")).to_contain_text("Lần thanh toán trước đã bị hủy")
    shot(p, "registration-pay-again")
    p.get_by_role("button", name="Thanh toán", exact=True).click()
    p.wait_for_url(re.compile(r".*/sandbox/.*"))
    p.get_by_role("button", name="Thanh toán thành công").click()
    expect(p.get_by_text("Thanh toán thành công.")).to_be_visible()
    shot(p, "payment-return-paid")
    p.get_by_role("link", name="Tiếp tục đăng ký chứng thư số").click()
    expect(p.get_by_label("Mã kích hoạt")).to_be_visible()  # moved on by itself
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    p.get_by_label("Mã kích hoạt").fill(last_code(world.container, account_id,
                                                  "ONBOARDING_ACTIVATION"))
    p.get_by_role("button", name="Xác nhận").click()
    _ekyc_refused_in_the_browser(p, world, account_id)


def _choose(p: Page, images: dict[str, bytes]) -> None:
    for label, data in images.items():
        p.get_by_label(label, exact=True).set_input_files(
            {"name": "anh.png", "mimeType": "image/png", "buffer": data})
    p.get_by_role("button", name="Gửi ảnh").click()


def _ekyc_refused_in_the_browser(p: Page, world: World, account_id: str) -> None:
    expect(p.locator("#ekyc-rules")).to_contain_text("ít nhất 300 điểm ảnh")
    expect(p.locator("#ekyc-rules")).to_contain_text("Quý khách còn 3/3 lần xác thực")
    shot(p, "ekyc-rules")
    front, back, face = png(), png(), png()
    _choose(p, {"Mặt trước": front, "Mặt sau": png(299, 640), "Ảnh chân dung": face})
    expect(p.get_by_role("alert")).to_contain_text("Mặt sau: ảnh chỉ có 299×640 điểm ảnh")
    shot(p, "ekyc-too-small")
    _choose(p, {"Mặt trước": front, "Mặt sau": back, "Ảnh chân dung": front})
    expect(p.get_by_role("alert")).to_contain_text("trùng với một ảnh khác")
    _choose(p, {"Mặt trước": front, "Mặt sau": b"GIF89a" + bytes(40), "Ảnh chân dung": face})
    expect(p.get_by_role("alert")).to_contain_text("không phải ảnh JPEG hoặc PNG")
    _choose(p, {"Mặt trước": front, "Mặt sau": back + bytes(1024 * 1024), "Ảnh chân dung": face})
    expect(p.get_by_role("alert")).to_contain_text("lớn hơn 1 MB")
    with world.container.uow() as uow:
        registration = uow.onboarding.latest(account_id)
    assert registration is not None and registration.ekyc_attempts == 0  # nothing counted
    _choose(p, {"Mặt trước": front, "Mặt sau": back, "Ảnh chân dung": face})
    expect(p.get_by_role("button", name="Đồng ý và ký hợp đồng")).to_be_visible()


def test_a_lost_phone_suspends_the_certificate_then_resumes_it(page: Watched,
                                                                world: World) -> None:
    p, customer = page.page, world.customer()
    account = world.container.accounts.get(customer.account_id)
    log_in(p, account.username, PASSWORD)
    p.goto("/#account")
    expect(p.locator("table")).to_contain_text("Chrome · Linux")  # the sessions: which browser
    box = p.locator(f'[data-credential="{customer.credential.id}"]')
    expect(box).to_contain_text("Đang hoạt động")
    box.get_by_label("Mã PIN tài khoản").fill("975310")
    box.get_by_role("button", name="Tạm dừng chứng thư số").click()
    expect(box.get_by_role("alert")).to_contain_text("Mã PIN tài khoản không đúng")
    box.get_by_label("Mã PIN tài khoản").fill(PIN)
    box.get_by_role("button", name="Tạm dừng chứng thư số").click()
    expect(box).to_contain_text("Đã tạm dừng chứng thư số.")
    expect(box).to_contain_text("Đang tạm dừng")
    box.scroll_into_view_if_needed()
    shot(p, "certificate-suspended")
    with world.container.uow() as uow:
        held = uow.pki.certificate(customer.credential.certificate.issuer,
                                   customer.credential.certificate.serial)
    assert held is not None and held.status.value == "suspended"
    box.get_by_label("Mã PIN tài khoản").fill(PIN)
    box.get_by_role("button", name="Tiếp tục sử dụng").click()
    expect(box).to_contain_text("Chứng thư số đã hoạt động trở lại.")
