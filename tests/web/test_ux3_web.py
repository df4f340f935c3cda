"""A demanding Vietnamese customer on a small phone (360×800), where things go wrong: a proxy
that answers with its own page instead of kyso's, a server error, a phone number mistyped at
sign-up, a payment whose amount was never said, a tap that fails offline. Each screen says in
Vietnamese what happened and what to do next; every screen is kept as an artifact."""

from __future__ import annotations

import json
import re
import uuid
from datetime import timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from playwright.sync_api import Page, Route, expect

from kyso.entrypoints.api.errors import install_error_handlers
from kyso.errors import Text
from tests.integration.api.conftest import PASSWORD, PIN, last_code
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, nav_to, session_token, shot
from tests.web.test_customer_web import username
from tests.web.test_journeys_web import pending_id
from tests.web.test_mends_web import log_in_small
from tests.web.test_ux_web import fits, no_codes, small, token_account

__all__ = ["small"]  # the 360×800 phone fixture

SERVER_DOWN = ("Hệ thống đang tạm thời gián đoạn. Vui lòng thử lại sau ít phút; "
               "nếu vẫn không được, hãy gọi hỗ trợ.")


def bad_gateway(route: Route) -> None:
    """What nginx says when no kyso node answers: its own HTML page, no JSON."""
    route.fulfill(status=502, content_type="text/html",
                  body="<html><body><h1>502 Bad Gateway</h1></body></html>")


def test_a_proxy_error_page_is_said_in_words_not_as_a_number(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Đỗ Văn Hùng")
    log_in_small(p, username(world, customer))
    p.route(re.compile(r".*/api/v1/history\?.*"), bad_gateway)
    nav_to(p, "Lịch sử")
    expect(p.locator("main").get_by_role("alert")).to_have_text(SERVER_DOWN)
    # the list says it could not load and how to try again, not "Đang tải…" for ever
    expect(p.locator("#history-list")).to_have_text("Chưa tải được lịch sử. Bấm “Xem” để thử lại.")
    text = p.locator("main").inner_text()
    assert "502" not in text, text
    no_codes(p)
    fits(p)
    shot(p, "ux3-proxy-502")
    p.unroute(re.compile(r".*/api/v1/history\?.*"))
    p.get_by_role("button", name="Xem").click()
    expect(p.locator("#history-list")).not_to_contain_text("Chưa tải được")
    expect(p.locator("main").get_by_role("alert")).to_have_count(0)
    expected(small, "status of 502")


def expected(watched: Watched, text: str) -> None:
    """The browser logs the failure the test provoked on purpose: not a fault of the page."""
    watched.errors[:] = [e for e in watched.errors if text not in e]


def test_an_unexpected_server_error_is_one_sentence_in_the_customers_language() -> None:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    client = TestClient(app, raise_server_exceptions=False)
    vi = client.get("/boom").json()
    assert vi["error"] == "server_error"
    assert vi["error_description"] == ("Đã có lỗi hệ thống. Vui lòng thử lại sau ít phút; "
                                       "nếu vẫn không được, hãy gọi bộ phận hỗ trợ.")
    en = client.get("/boom", headers={"accept-language": "en"}).json()
    assert en["error_description"].startswith("Something went wrong on our side.")


def test_a_phone_number_mistyped_at_sign_up_is_corrected_without_typing_all_again(
        small: Watched, world: World) -> None:
    """"Hãy kiểm tra lại số điện thoại và email", says the codes step: the customer can go
    back to the form, with everything typed kept, correct the number and get the codes."""
    p, n = small.page, uuid.uuid4().int % 10**6
    p.goto("/")
    p.get_by_role("link", name="Đăng ký tài khoản").click()
    p.get_by_label("Họ và tên").fill("Nguyễn Thị Thu Hà")
    p.get_by_label("Số điện thoại").fill(f"093{n:07d}")  # one digit wrong: 093 for 094
    p.get_by_label("Email").fill(f"thuha{n}@example.vn")
    p.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    p.get_by_label("Mã PIN tài khoản (6 chữ số)").fill(PIN)
    p.get_by_label("Nhập lại mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Đăng ký", exact=True).click()
    expect(p.get_by_role("heading", name="Xác minh số điện thoại và email")).to_be_visible()
    p.get_by_role("button", name="Sửa số điện thoại hoặc email").click()
    expect(p.get_by_role("heading", name="Đăng ký tài khoản")).to_be_visible()
    expect(p.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Thu Hà")
    expect(p.get_by_label("Email")).to_have_value(f"thuha{n}@example.vn")
    phone = p.get_by_label("Số điện thoại")
    expect(phone).to_have_value(f"093{n:07d}")
    expect(phone).to_be_focused()
    fits(p)
    shot(p, "ux3-signup-correct")
    phone.fill(f"094{n:07d}")
    p.get_by_role("button", name="Đăng ký", exact=True).click()
    tail = f"{n:07d}"[-2:]
    expect(p.get_by_text(f"Mã gửi qua SMS tới +849******{tail}")).to_be_visible()
    account = pending_id(world, f"+8494{n:07d}")
    p.get_by_label(f"Mã gửi qua SMS tới +849******{tail}").fill(
        last_code(world.container, account, "SIGNUP_PHONE"))
    p.get_by_label(re.compile("^Mã gửi qua email tới")).fill(
        last_code(world.container, account, "SIGNUP_EMAIL"))
    p.get_by_role("button", name="Xác minh và kích hoạt tài khoản").click()
    expect(p.locator(".who")).to_have_text("Nguyễn Thị Thu Hà")
    no_codes(p)
    fits(p)


def test_the_registration_says_how_much_to_pay_before_leaving_for_the_gateway(
        small: Watched, world: World) -> None:
    p, (login, headers, _) = small.page, token_account(world)
    today = world.clock.now().date()
    body = {"full_name": "Phan Thị Ngọc Ánh", "birth_date": "1993-05-06", "sex": "F",
            "id_type": "CCCD", "id_number": f"001193{uuid.uuid4().int % 10**6:06d}",
            "issue_date": f"{today - timedelta(days=400)}",
            "expiry_date": f"{today + timedelta(days=3000)}", "phone": "0912345670",
            "email": "anh@example.vn", "address": "12 Đội Cấn", "locality": "Ba Đình",
            "province": "Hà Nội", "package": "per-signature-1y", "device_id": f"{login}-phone"}
    r = world.client.post("/api/v1/onboarding/registration", json=body, headers=headers)
    assert r.status_code in (200, 201) and r.json()["state"] == "awaiting_payment", r.text
    price = next(p["price"] for p in world.client.get("/api/v1/billing/catalog").json()
                 if p["code"] == "per-signature-1y")
    log_in_small(p, login)
    nav_to(p, "Đăng ký chứng thư số")
    amount = f"{price:,}".replace(",", ".")
    expect(p.locator("#ob-amount")).to_have_text(
        f"Số tiền cần thanh toán là {amount}\u00a0₫ (đã gồm VAT).")
    expect(p.get_by_role("button", name="Thanh toán", exact=True)).to_be_visible()
    no_codes(p)
    fits(p)
    shot(p, "ux3-registration-amount")


def test_marking_the_inbox_read_offline_says_so_and_keeps_the_unread_marks(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Hoàng Thị Yến")
    with world.container.uow() as uow:
        world.container.notifier.post(uow, customer.account_id,
                                      Text("Gói lượt ký đã được kích hoạt", "Pack activated"),
                                      Text("Quý khách có thêm 10 lượt ký.", "10 more signatures."))
        uow.commit()
    log_in_small(p, username(world, customer))
    expect(p.locator(".inbox .badge").first).to_have_text("Chưa đọc")
    p.route("**/api/v1/notifications/read-all", lambda route: route.abort("internetdisconnected"))
    p.get_by_role("button", name="Đánh dấu đã đọc tất cả").click()
    expect(p.locator("main").get_by_role("alert")).to_have_text(
        "Không kết nối được máy chủ. Vui lòng thử lại.")
    expect(p.locator(".inbox .badge").first).to_have_text("Chưa đọc")
    expect(p.get_by_role("button", name="Đánh dấu đã đọc tất cả")).to_be_enabled()
    no_codes(p)
    fits(p)
    shot(p, "ux3-inbox-offline")
    p.unroute("**/api/v1/notifications/read-all")
    p.get_by_role("button", name="Đánh dấu đã đọc tất cả").click()
    expect(p.locator(".inbox .badge")).to_have_count(0)
    expect(p.locator("main").get_by_role("alert")).to_have_count(0)


def test_a_customer_with_a_certificate_is_shown_the_renewal_not_an_empty_form(
        small: Watched, world: World) -> None:
    """The server refuses a second registration ("tài khoản này đã được cấp chứng thư số"):
    the page says so at once, with the way on, instead of thirteen fields typed for nothing."""
    p, customer = small.page, world.customer("Lý Văn Phúc")
    log_in_small(p, username(world, customer))
    nav_to(p, "Đăng ký chứng thư số")
    expect(p.locator("#ob-have-cert")).to_have_text(
        "Quý khách đã được cấp chứng thư số nên không cần đăng ký mới. Khi chứng thư số sắp "
        "hết hạn, hãy bấm “Gia hạn” tại Trang chủ; cần thêm lượt ký thì mua gói lượt ký.")
    expect(p.locator("#ob-form")).to_have_count(0)
    no_codes(p)
    fits(p)
    shot(p, "ux3-register-have-certificate")
    p.locator("main").get_by_role("link", name="Về Trang chủ").click()
    expect(p.get_by_role("button", name="Gia hạn").first).to_be_visible()


def test_a_new_password_is_typed_twice_and_a_typo_is_caught_before_it_is_saved(
        small: Watched, world: World) -> None:
    """A typo in a new password typed once would lock the customer out at the next login."""
    p, customer = small.page, world.customer("Trịnh Thị Mai", smartotp=False, signatures=0)
    log_in_small(p, username(world, customer))
    nav_to(p, "Tài khoản")
    sent: list[str] = []
    p.on("request", lambda r: sent.append(r.url) if r.url.endswith("/me/password") else None)
    form = p.locator("form").filter(has=p.get_by_role("heading", name="Đổi mật khẩu"))
    form.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    new = form.get_by_label("Mật khẩu mới", exact=True)
    expect(new).to_have_accessible_description(re.compile("Từ 8 ký tự, có cả chữ và số"))
    new.fill("MatKhauMoi-2027!")
    form.get_by_label("Nhập lại mật khẩu mới").fill("MatKhauMoi-2072!")
    form.get_by_role("button", name="Lưu").click()
    expect(form.get_by_role("alert")).to_have_text("Hai mật khẩu không khớp nhau.")
    expect(form.get_by_label("Nhập lại mật khẩu mới")).to_be_focused()
    assert sent == []
    no_codes(p)
    fits(p)
    shot(p, "ux3-password-twice")
    form.get_by_label("Nhập lại mật khẩu mới").fill("MatKhauMoi-2027!")
    form.get_by_role("button", name="Lưu").click()
    expect(form.get_by_role("status")).to_have_text("Đã đổi mật khẩu.")
    assert world.client.post("/api/v1/auth/login", json={
        "login": username(world, customer), "password": "MatKhauMoi-2027!"}).status_code == 200


def test_a_file_too_large_to_sign_is_said_in_kilobytes_and_what_to_do(
        small: Watched, world: World) -> None:
    """Not "Tài liệu vượt quá 262144 byte (document over 262144 bytes)": the limit as a
    person reads it, one language, and the way on."""
    p, customer = small.page, world.customer("Võ Thị Thanh")
    log_in_small(p, username(world, customer))
    nav_to(p, "Ký tài liệu")
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "hopdong-lon.pdf", "mimeType": "application/pdf",
         "buffer": b"%PDF" + bytes(300_000)})
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Tệp gửi lên lớn hơn mức cho phép (tối đa 256 KB). Vui lòng chọn tệp nhỏ hơn rồi thử lại.")
    no_codes(p)
    fits(p)
    shot(p, "ux3-sign-too-large")
    english = world.client.post(
        "/api/v1/documents/drafts", files={"file": ("a.pdf", b"%PDF" + bytes(300_000))},
        headers={**customer.headers, "accept-language": "en"})
    assert english.status_code == 413
    assert english.json()["error_description"] == (
        "The file is larger than allowed (at most 256 KB). "
        "Please choose a smaller file and try again.")


def test_a_damaged_pdf_is_said_without_the_parsers_words_and_with_what_to_do(
        small: Watched, world: World) -> None:
    """Not "… không đọc được. (PdfReadError)": a name from inside the program means nothing
    to the customer; what to do with the file does."""
    p, customer = small.page, world.customer("Đinh Văn Toàn")
    log_in_small(p, username(world, customer))
    nav_to(p, "Ký tài liệu")
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 hong"})
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Tài liệu PDF bị hỏng hoặc có cấu trúc không đọc được. Hãy mở tệp trên máy, "
        "lưu (hoặc in) lại thành PDF rồi tải lên lại.")
    no_codes(p)
    assert not re.search(r"\([A-Za-z]+Error\)", p.locator("main").inner_text())
    fits(p)
    shot(p, "ux3-sign-damaged-pdf")


def send_sign_up(p: Page, full_name: str, phone: str, email: str) -> None:
    """From the login page: "Đăng ký tài khoản", the form filled in (the test password and
    PIN) and sent."""
    p.get_by_role("link", name="Đăng ký tài khoản").click()
    p.get_by_label("Họ và tên").fill(full_name)
    p.get_by_label("Số điện thoại").fill(phone)
    p.get_by_label("Email").fill(email)
    p.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    p.get_by_label("Mã PIN tài khoản (6 chữ số)").fill(PIN)
    p.get_by_label("Nhập lại mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Đăng ký", exact=True).click()


def test_the_sign_up_codes_step_survives_a_reload(small: Watched, world: World) -> None:
    """The customer leaves for the SMS app; the phone drops the tab and reloads it on return:
    the codes step is still there (not an empty sign-up form), and the account activates."""
    p, n = small.page, uuid.uuid4().int % 10**6
    p.goto("/")
    send_sign_up(p, "Bùi Thị Hạnh", f"097{n:07d}", f"hanh{n}@example.vn")
    heading = p.get_by_role("heading", name="Xác minh số điện thoại và email")
    expect(heading).to_be_visible()
    p.reload()
    expect(heading).to_be_visible()
    account = pending_id(world, f"+8497{n:07d}")
    tail = f"{n:07d}"[-2:]
    p.get_by_label(f"Mã gửi qua SMS tới +849******{tail}").fill(
        last_code(world.container, account, "SIGNUP_PHONE"))
    p.get_by_label(re.compile("^Mã gửi qua email tới")).fill(
        last_code(world.container, account, "SIGNUP_EMAIL"))
    fits(p)
    shot(p, "ux3-signup-codes-after-reload")
    p.get_by_role("button", name="Xác minh và kích hoạt tài khoản").click()
    expect(p.get_by_role("status")).to_have_text(
        "Tài khoản của Quý khách đã được kích hoạt. Vui lòng đăng nhập bằng số điện thoại "
        "và mật khẩu vừa tạo.")
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(f"097{n:07d}")
    p.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    p.get_by_role("button", name="Đăng nhập").click()
    expect(p.locator(".who")).to_have_text("Bùi Thị Hạnh")
    p.get_by_role("button", name="Đăng xuất").click()
    p.get_by_role("link", name="Đăng ký tài khoản").click()  # nothing pending is shown again
    expect(p.get_by_role("heading", name="Đăng ký tài khoản")).to_be_visible()
    no_codes(p)


def test_an_empty_file_is_said_before_it_is_sent(small: Watched, world: World) -> None:
    """A download that failed leaves a file of 0 bytes: the customer is told that, with what
    to do, not "bị hỏng … (Failed to load document (PDFium: Data format error).)"."""
    p, customer = small.page, world.customer("Lâm Thị Kiều")
    log_in_small(p, username(world, customer))
    nav_to(p, "Ký tài liệu")
    sent: list[str] = []
    p.on("request", lambda r: sent.append(r.url) if "/api/v1/documents" in r.url
         and r.method == "POST" else None)
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "hop-dong.pdf", "mimeType": "application/pdf", "buffer": b""})
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Tệp “hop-dong.pdf” không có nội dung (0 byte), có thể do tải về chưa xong. "
        "Vui lòng tải lại tệp rồi chọn lại.")
    assert sent == []
    no_codes(p)
    fits(p)
    shot(p, "ux3-sign-empty-file")


def test_the_forgotten_password_code_step_survives_a_reload_and_sends_again(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Tạ Thị Duyên")
    account = world.container.accounts.get(customer.account_id)
    p.goto("/")
    p.get_by_role("link", name="Quên mật khẩu").click()
    # the log-in page's field has the same label: the forgotten-password page drawn first
    expect(p.get_by_role("heading", name="Quên mật khẩu")).to_be_visible()
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(account.email)
    p.get_by_role("button", name="Gửi mã", exact=True).click()
    code = p.get_by_label("Mã xác minh")
    expect(code).to_be_visible()
    p.reload()  # the tab dropped while the customer read the SMS
    expect(code).to_be_visible()
    world.clock.advance(61)  # past the resend cool-down
    p.get_by_role("button", name="Gửi lại mã").click()
    expect(p.get_by_role("status").filter(has_text="Đã gửi lại mã.")).to_be_visible()
    fits(p)
    shot(p, "ux3-forgot-after-reload")
    code.fill(last_code(world.container, account.id, "PASSWORD_RESET"))
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    p.get_by_label("Mật khẩu mới", exact=True).fill("Doimatkhau2027")
    p.get_by_label("Nhập lại mật khẩu mới").fill("Doimatkhau2027")
    p.get_by_role("button", name="Đặt lại mật khẩu").click()
    expect(p.locator("main")).to_contain_text("Đã đặt lại mật khẩu")
    p.get_by_role("link", name="Quên mật khẩu").click()  # done: the first step again
    expect(p.get_by_role("button", name="Gửi mã", exact=True)).to_be_visible()
    no_codes(p)


TALL_ENOUGH = """(els) => els.filter((e) => e.offsetParent !== null)
  .map((e) => [e.textContent.trim(), Math.round(e.getBoundingClientRect().height)])
  .filter(([, h]) => h < 44)"""


def test_every_tap_target_on_a_phone_is_at_least_44_pixels_tall(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Quách Văn Long")
    p.goto("/")
    expect(p.get_by_role("link", name="Quên mật khẩu")).to_be_visible()
    short = p.locator("header button, main .links a").evaluate_all(TALL_ENOUGH)
    assert short == [], short
    log_in_small(p, username(world, customer))
    expect(p.locator("#manage-token")).to_be_visible()
    short = p.locator("header button, nav a, main .card > a, main .card > p > a").evaluate_all(
        TALL_ENOUGH)
    assert short == [], short
    fits(p)
    shot(p, "ux3-tap-targets-home")


def test_the_signature_levels_are_offered_in_words_first(small: Watched, world: World) -> None:
    """"B-B, B-T, B-LT, B-LTA" are the standard's names: a customer chooses by what each
    gives, the name after it; the value sent is unchanged."""
    p, customer = small.page, world.customer("Mạc Thị Nga")
    log_in_small(p, username(world, customer))
    nav_to(p, "Ký tài liệu")
    level = p.locator("#sign-form").get_by_label("Mức chữ ký")
    expect(level.locator("option")).to_have_text(
        ["Cơ bản (B-B)", "Có dấu thời gian (B-T)", "Kiểm tra được lâu dài (B-LT)",
         "Lưu trữ dài hạn (B-LTA)"])
    level.select_option("B-T")
    expect(level).to_have_value("B-T")
    # a select and a field are tap targets too (they were 41 px tall)
    short = p.locator("#sign-form select, #sign-form input:not([type=checkbox])").evaluate_all(
        TALL_ENOUGH)
    assert short == [], short
    fits(p)
    shot(p, "ux3-sign-levels")


def test_a_history_entry_on_a_phone_has_no_empty_lines(small: Watched, world: World) -> None:
    """Every entry ended with "Lượt ký: —" and "Số tiền: —": two lines of nothing each."""
    p, customer = small.page, world.customer("Kiều Văn Sơn")
    log_in_small(p, username(world, customer))
    nav_to(p, "Lịch sử")
    rows = p.locator("#history-list tbody tr")
    expect(rows.first).to_be_visible()
    empty = p.locator("#history-list td").evaluate_all(
        "(tds) => tds.filter((td) => td.offsetParent !== null && td.textContent === '—').length")
    assert empty == 0
    expect(rows.first.locator("td").first).to_be_visible()  # the time, still there
    fits(p)
    shot(p, "ux3-history-phone")


def test_switching_the_language_keeps_what_was_typed(small: Watched, world: World) -> None:
    """Half way through the registration form the customer taps "English" (to read a word)
    and back: nothing typed is lost."""
    p, (login, _, _) = small.page, token_account(world)
    log_in_small(p, login)
    nav_to(p, "Đăng ký chứng thư số")
    form = p.locator("#ob-form")
    form.get_by_label("Họ và tên").fill("Nguyễn Thị Hồng Nhung")
    form.get_by_label("Ngày sinh").fill("15/08/1992")
    form.get_by_label("Giới tính").select_option("F")
    form.get_by_label("Số giấy tờ").fill("001192004321")
    form.get_by_label("Địa chỉ", exact=True).fill("18 Nguyễn Chí Thanh")
    p.get_by_role("button", name="English").click()
    expect(p.get_by_role("heading", name="Get a certificate", level=1)).to_be_visible()
    form = p.locator("#ob-form")
    expect(form.get_by_label("ID number")).to_have_value("001192004321")
    expect(form.get_by_label("Address", exact=True)).to_have_value("18 Nguyễn Chí Thanh")
    p.get_by_role("button", name="Tiếng Việt").click()
    expect(p.get_by_role("heading", name="Đăng ký chứng thư số", level=1)).to_be_visible()
    form = p.locator("#ob-form")
    expect(form.get_by_label("Họ và tên")).to_have_value("Nguyễn Thị Hồng Nhung")
    expect(form.get_by_label("Ngày sinh")).to_have_value("15/08/1992")
    expect(form.get_by_label("Giới tính")).to_have_value("F")
    expect(form.get_by_label("Số giấy tờ")).to_have_value("001192004321")
    expect(form.get_by_label("Địa chỉ", exact=True)).to_have_value("18 Nguyễn Chí Thanh")
    no_codes(p)
    fits(p)
    shot(p, "ux3-language-keeps-typed")


def test_a_session_that_ends_mid_form_gives_the_typing_back_after_logging_in(
        small: Watched, world: World) -> None:
    """The customer left the registration form open to find the ID card; the session ended
    meanwhile: "Gửi" leads to the login page, and after logging in again the form is as it
    was (only for the same account)."""
    p, (login, _, _) = small.page, token_account(world)
    log_in_small(p, login)
    nav_to(p, "Đăng ký chứng thư số")
    form = p.locator("#ob-form")
    today = world.clock.now().date()
    for label, value in (("Họ và tên", "Lê Thị Hoà"), ("Ngày sinh", "04/03/1991"),
                         ("Số giấy tờ", "001191007777"),
                         ("Ngày cấp", f"{today - timedelta(days=400):%d/%m/%Y}"),
                         ("Ngày hết hạn (nếu có)", f"{today + timedelta(days=3000):%d/%m/%Y}"),
                         ("Địa chỉ", "5 Kim Mã"), ("Phường/Xã", "Ba Đình"),
                         ("Tỉnh/Thành phố", "Hà Nội")):
        form.get_by_label(label, exact=True).fill(value)
    token = json.loads(session_token(p))["token"]
    mine = next(s for s in world.client.get("/api/v1/me/sessions", headers={
        "Authorization": f"Bearer {token}"}).json() if s["current"])
    assert world.client.delete(f"/api/v1/me/sessions/{mine['id']}", headers={
        "Authorization": f"Bearer {token}"}).status_code == 204  # ended elsewhere
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    expect(p.get_by_role("status")).to_contain_text("Phiên đăng nhập đã hết hạn")
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(login)
    p.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    p.get_by_role("button", name="Đăng nhập").click()
    form = p.locator("#ob-form")
    expect(form.get_by_label("Số giấy tờ")).to_have_value("001191007777")
    expect(form.get_by_label("Họ và tên")).to_have_value("Lê Thị Hoà")
    expect(form.get_by_label("Địa chỉ", exact=True)).to_have_value("5 Kim Mã")
    no_codes(p)
    fits(p)
    shot(p, "ux3-session-ended-form-kept")


def test_the_relying_parties_page_speaks_without_protocol_names(
        small: Watched, world: World) -> None:
    """"(qua CSC OAuth2)" named a protocol; the customer needs to know what the list is."""
    p, customer = small.page, world.customer("Hà Thị Thu")
    log_in_small(p, username(world, customer))
    nav_to(p, "Bên tin cậy")
    expect(p.locator("main .grants p").first).to_have_text(
        "Các ứng dụng Quý khách đã cho phép dùng dịch vụ ký số của mình. Bấm thu hồi để chấm "
        "dứt ngay quyền của ứng dụng, kể cả quyền tự gia hạn.")
    assert "OAuth" not in p.locator("main").inner_text()
    fits(p)
    shot(p, "ux3-parties-words")
