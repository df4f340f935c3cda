"""A logged-in customer whose phone has no network: the app says so in Vietnamese and offers
the SmartOTP token (giải pháp 1) and "Thử lại" — never a dead end."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot, until
from tests.web.test_customer_web import username
from tests.web.test_token_web import TOKEN_PIN, is_synced_code, register_in_browser, verify


def test_a_reload_with_no_network_offers_the_token_and_a_retry(page: Watched,
                                                              world: World) -> None:
    p, customer = page.page, world.customer("Lương Thị Hạnh", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    until(p, "Boolean(navigator.serviceWorker.controller)")  # the shell is kept
    p.get_by_role("link", name="Trang chủ").click()
    p.context.set_offline(True)
    p.reload()
    expect(p.get_by_role("heading", name="Không có kết nối mạng", level=1)).to_be_visible()
    expect(p.get_by_role("alert")).to_have_text("Không kết nối được máy chủ. Vui lòng thử lại.")
    expect(p.get_by_role("button", name="Đăng xuất")).to_be_visible()  # still logged in
    shot(p, "offline-logged-in")
    p.get_by_role("button", name="Thử lại").click()  # still offline: the same screen, no error
    expect(p.get_by_role("heading", name="Không có kết nối mạng", level=1)).to_be_visible()
    p.get_by_role("button", name="Lấy mã SmartOTP").click()
    expect(p.get_by_role("heading", name="Mã SmartOTP", level=1)).to_be_visible()
    p.get_by_label("PIN SmartOTP").fill(TOKEN_PIN)
    p.get_by_role("button", name="Lấy mã", exact=True).click()
    expect(p.locator("#otp-code")).to_have_text(re.compile(r"^\d{6}$"))
    shot(p, "offline-logged-in-code")
    code = p.locator("#otp-code").text_content() or ""
    assert is_synced_code(code, seed, world), code
    p.context.set_offline(False)
    assert verify(customer, code) == 204
    p.get_by_role("button", name="Quay lại").click()  # back online: the page loads again
    expect(p.locator("#token-device")).to_have_text("Thiết bị này")
    expect(p.locator("#unreachable")).to_have_count(0)
    # the browser logs each request the missing network refused; nothing else may be logged
    page.errors = [e for e in page.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]
