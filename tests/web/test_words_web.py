"""Every screen in the customer's language: server texts (notices, product names) switch with
the language and the account remembers it for emails and SMS; no screen shows the browser's
own English date or file picker."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from kyso.accounts.model import Role
from kyso.onboarding.identity import IdDocument, IdType, Sex
from kyso.onboarding.model import Contact, Owner, Registration
from kyso.onboarding.states import State
from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, deliver, log_in, shot
from tests.web.test_console_web import staff

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
    expect(p.get_by_text("Mã PIN tài khoản của Quý khách vừa được thay đổi").first).to_be_visible()
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
    expect(p.locator(".foot")).to_have_text("kyso — remote signing with SmartOTP")
    shot(p, "words-home-en")

    with p.expect_response("**/api/v1/me/locale"):
        p.get_by_role("button", name="Tiếng Việt").click()
    expect(p.get_by_text("Mã PIN tài khoản của Quý khách vừa được thay đổi").first).to_be_visible()
    assert world.container.accounts.get(customer.account_id).locale == "vi"
    # English chosen on the login page is recorded when the customer logs in
    p.get_by_role("button", name="Đăng xuất").click()
    p.get_by_role("button", name="English").click()
    with p.expect_response("**/api/v1/me/locale"):
        p.get_by_label("Login name, phone or email").fill(
            _username(world, customer.account_id))
        p.get_by_label("Password", exact=True).fill(PASSWORD)
        p.get_by_role("button", name="Log in").click()
    assert world.container.accounts.get(customer.account_id).locale == "en"


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


def _rejected(world: World, account_id: str, count: int) -> None:
    """``count`` rejected registrations of one customer, the last one Trần Thị Bích's."""
    with world.container.uow() as uow:
        for n in range(count):
            name = "Trần Thị Bích" if n == count - 1 else f"Phan Văn Lộc {n}"
            owner = Owner(name, date(1990, 1, 1), Sex("M" if n < count - 1 else "F"),
                          IdDocument(IdType.CCCD, f"0793000{n:05d}", date(2021, 1, 1), None))
            contact = Contact(f"loc{n}@example.vn", "+84912345671", "1 Tràng Tiền", "Hà Nội",
                              "Hoàn Kiếm")
            # newer than any case another test of the package left (the world is shared)
            at = world.clock.now() + timedelta(days=1, seconds=n - count)
            uow.onboarding.add(Registration(f"w0000000-0000-0000-0000-{n:012d}", account_id,
                                            owner, contact, "per-signature-1y", f"w-{n}", at,
                                            at, state=State.REJECTED))
        uow.commit()


def test_the_console_pages_and_finds_cases_in_vietnamese(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Phan Văn Lộc")
    _rejected(world, customer.account_id, 25)
    log_in(p, staff(world, "ngonngu", Role.ADMIN), PASSWORD, "/console")
    p.goto("/console#ra")
    p.get_by_label("Trạng thái hồ sơ").select_option("rejected")
    rows = p.locator("#cases .case-row")
    expect(rows).to_have_count(20)  # a page; the newest decided first
    expect(rows.first).to_contain_text("Trần Thị Bích")
    expect(p.get_by_text("Trang 1", exact=True)).to_be_visible()
    _vietnamese_throughout(p, "console-ra-page1")
    p.get_by_role("button", name="Trang sau").click()
    expect(rows.filter(has_text="Phan Văn Lộc")).to_have_count(5)  # then others' older cases
    expect(rows.nth(4)).to_contain_text("Phan Văn Lộc 0")
    p.get_by_role("button", name="Trang trước").click()
    expect(rows).to_have_count(20)
    p.get_by_label("Tìm theo họ tên hoặc số giấy tờ").fill("phan van loc 3")  # no diacritics
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Phan Văn Lộc 3")
    p.get_by_label("Tìm theo họ tên hoặc số giấy tờ").fill("079300000002")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Phan Văn Lộc 2")
    _vietnamese_throughout(p, "console-ra-found")
    p.goto("/console#support")
    expect(p.locator("main h1").first).to_be_visible()
    _vietnamese_throughout(p, "console-support")


def test_a_newcomer_who_chose_english_gets_the_codes_in_english(page: Watched,
                                                                world: World) -> None:
    p = page.page
    p.goto("/")
    p.get_by_role("button", name="English").click()
    p.get_by_role("link", name="Create an account").click()
    p.get_by_label("Full name").fill("Ngô Bảo Anh")
    p.get_by_label("Phone").fill("0977000222")
    p.get_by_label("Email").fill("baoanh@example.vn")
    p.get_by_label("Password", exact=True).fill(PASSWORD)
    p.get_by_label("Account PIN (6 digits)").fill("246813")
    p.get_by_label("Account PIN again").fill("246813")
    p.get_by_role("button", name="Sign up", exact=True).click()
    expect(p.get_by_text("+849******22").first).to_be_visible()
    with world.container.uow() as uow:
        account = uow.accounts.find_by_login("+84977000222")
    assert account is not None and account.locale == "en"
    deliver(world)
    with world.container.uow() as uow:
        sent = [world.container.notifier.open_body(m).text for m in uow.outbox.recent(50)
                if m.account_id == account.id]
    assert len(sent) == 2 and all(text.startswith("kyso: your OTP") for text in sent), sent
