"""Every screen in the customer's language: server texts (notices, product names) switch with
the language and the account remembers it for emails and SMS; no screen shows the browser's
own English date or file picker."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot

CUSTOMER_SCREENS = ("home", "transactions", "smartotp", "sign", "history", "buy", "parties",
                    "account", "register")
# inputs whose UI is the browser's (in its language), and its words for them
NATIVE_PICKERS = """() => [...document.querySelectorAll("input")].filter((i) =>
  ["date", "datetime-local", "month", "week", "time"].includes(i.type)
  || (i.type === "file" && getComputedStyle(i).opacity !== "0")).map((i) => i.name || i.id)"""
ENGLISH_PICKER_WORDS = ("mm/dd/yyyy", "dd/mm/yyyy", "Choose file", "No file chosen")


def _username(world: World, account_id: str) -> str:
    return world.container.accounts.get(account_id).username


def _vietnamese_throughout(p: Page, name: str) -> None:
    assert p.evaluate(NATIVE_PICKERS) == [], name
    text = p.locator("body").inner_text()
    assert not [w for w in ENGLISH_PICKER_WORDS if w in text], name
    shot(p, f"words-{name}")


def test_notices_and_product_names_follow_the_language_both_ways(page: Watched,
                                                                 world: World) -> None:
    p, customer = page.page, world.customer("Lê Thị Hoa")
    world.container.recovery.pin_changed(customer.account_id)
    log_in(p, _username(world, customer.account_id), PASSWORD)
    expect(p.get_by_text("Mã PIN tài khoản của bạn vừa được thay đổi").first).to_be_visible()
    p.goto("/#buy")
    expect(p.get_by_text("Gói 10 lượt ký", exact=True).first).to_be_visible()

    with p.expect_response("**/api/v1/me/locale") as chosen:
        p.get_by_role("button", name="English").click()
    assert chosen.value.ok
    assert world.container.accounts.get(customer.account_id).locale == "en"
    expect(p.get_by_text("Pack of 10 signatures", exact=True).first).to_be_visible()
    expect(p.get_by_text("Gói 10 lượt ký")).to_have_count(0)
    shot(p, "words-buy-en")
    p.goto("/#home")
    expect(p.get_by_text("Your account PIN has just been changed").first).to_be_visible()
    expect(p.get_by_text("Mã PIN tài khoản")).to_have_count(0)
    shot(p, "words-home-en")

    with p.expect_response("**/api/v1/me/locale"):
        p.get_by_role("button", name="Tiếng Việt").click()
    expect(p.get_by_text("Mã PIN tài khoản của bạn vừa được thay đổi").first).to_be_visible()
    assert world.container.accounts.get(customer.account_id).locale == "vi"


def test_no_vietnamese_screen_shows_the_browsers_english_pickers(page: Watched,
                                                                  world: World) -> None:
    p, customer = page.page, world.customer("Đỗ Minh Châu")
    log_in(p, _username(world, customer.account_id), PASSWORD)
    for screen in CUSTOMER_SCREENS:
        p.goto(f"/#{screen}")
        expect(p.locator("main h1").first).to_be_visible()
        expect(p.get_by_text("Đang tải")).to_have_count(0)
        _vietnamese_throughout(p, screen)
    # a date is typed day/month/year and a wrong one is said in words, in place
    p.goto("/#history")
    expect(p.locator("#history-list")).not_to_contain_text("Đang tải")
    since = p.get_by_label("Từ ngày")
    since.fill("31/13/2026")
    p.get_by_role("button", name="Xem", exact=True).click()
    wrong = "Ngày không hợp lệ. Hãy nhập theo dạng ngày/tháng/năm, ví dụ 04/03/1991."
    expect(p.get_by_role("alert")).to_have_text(wrong)
    expect(since).to_be_focused()
    since.fill("01/01/2020")
    p.get_by_role("button", name="Xem", exact=True).click()
    expect(p.get_by_role("alert")).to_have_count(0)
    expect(since).to_have_attribute("placeholder", "ngày/tháng/năm")
    # the file control: "Chọn tệp", then the chosen name, reachable by the keyboard
    p.goto("/#sign")
    chooser = p.get_by_label("Tệp cần ký")
    expect(p.locator(".file-picker").first).to_contain_text("Chưa chọn tệp nào")
    chooser.focus()
    expect(chooser).to_be_focused()
    chooser.set_input_files({"name": "hop-dong.pdf", "mimeType": "application/pdf",
                             "buffer": b"%PDF-1.4\n"})
    expect(p.locator(".file-picker").first).to_contain_text("Chọn tệphop-dong.pdf")
    expect(chooser).to_have_accessible_description(re.compile(r"^hop-dong\.pdf "))
    _vietnamese_throughout(p, "sign-chosen")
