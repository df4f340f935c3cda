"""A newcomer's journeys in Chromium on a phone: sign-up from the login page with the codes
sent to the phone and the email, and the refusals a person meets on the way."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.integration.api.conftest import PASSWORD, PIN, last_code
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, shot


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
