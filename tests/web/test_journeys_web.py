"""A newcomer's journeys in Chromium on a phone: sign-up from the login page with the codes
sent to the phone and the email, and the refusals a person meets on the way."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.integration.api.conftest import PASSWORD, PIN, last_code
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot


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
    expect(p.locator("main")).to_contain_text("Chào mừng bạn đến với kyso")
    shot(p, "signup-done-home")


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
