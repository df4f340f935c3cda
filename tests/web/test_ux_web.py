"""A Vietnamese customer with a phone (360×800) off the happy path: an SMS code that did not
arrive is sent again ("Gửi lại OTP", as in the SmartOTP guide), a token step that cannot reach
the server says so in Vietnamese, a page that needs something first shows the way to it, and
what a customer chooses is shown with its price. Every screen is kept as an artifact."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta

import pytest
from playwright.sync_api import Browser, Page, expect

from kyso.onboarding.identity import IdDocument, IdType, Sex
from kyso.onboarding.model import Contact, Owner, Registration
from kyso.onboarding.states import State
from tests.integration.api.conftest import PASSWORD, PIN, last_code
from tests.integration.api.smartotp_helpers import enrol, sms_code
from tests.integration.documents.conftest import World
from tests.web.conftest import PHONE, Watched, log_in, shot

SMALL = {**PHONE, "viewport": {"width": 360, "height": 800}}  # a small Android phone


@pytest.fixture
def small(browser: Browser, world: World, request: pytest.FixtureRequest) -> Iterator[Watched]:
    context = browser.new_context(base_url=world.url, locale="vi-VN", **SMALL)
    watched = Watched(context.new_page())
    watched.page.set_default_timeout(15_000)
    yield watched
    if not watched.page.is_closed():
        shot(watched.page, f"{request.node.name}-last")
    context.close()
    watched.assert_clean()


def fits(p: Page) -> None:
    """Nothing sticks out sideways on a 360-pixel screen (the page never scrolls sideways)."""
    width = p.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide"


def no_codes(p: Page) -> None:
    """No internal code (snake_case names, 'network', 'undefined') on the screen."""
    text = p.locator("main").inner_text()
    assert not re.search(r"\b[a-z]+_[a-z_]+\b|\bnetwork\b|undefined|null|NaN|\[object", text), text


def bare_account(world: World) -> tuple[str, str]:
    """A new account with no SmartOTP and no certificate: (login, account id)."""
    n = uuid.uuid4().int % 10**6
    name = f"ux{n}"
    body = {"username": name, "password": PASSWORD, "pin": PIN, "full_name": "Lê Thị Hoà",
            "phone": f"096{n:07d}", "email": f"{name}@example.vn"}
    r = world.client.post("/api/v1/accounts", json=body)
    assert r.status_code == 201, r.text
    return name, r.json()["id"]


def token_account(world: World) -> tuple[str, dict[str, str], str]:
    """A new account with SmartOTP on a device elsewhere and no certificate: (login, headers,
    account id)."""
    login, account_id = bare_account(world)
    token = world.client.post("/api/v1/auth/login",
                              json={"login": login, "password": PASSWORD}).json()["access_token"]
    enrol(world.client, world.container, token, account_id, world.clock, device_id=f"{login}-phone")
    return login, {"authorization": f"Bearer {token}"}, account_id


def to_sms_step(p: Page) -> None:
    """SmartOTP → Đăng ký SmartOTP → terms → account PIN → the SMS code step."""
    p.get_by_role("link", name="SmartOTP", exact=True).first.click()
    p.get_by_role("button", name="Đăng ký SmartOTP").click()
    p.get_by_label("Tôi đã đọc và đồng ý").check()
    p.get_by_role("button", name="Tiếp tục").click()
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Gửi mã OTP qua SMS").click()
    p.get_by_label("Mã OTP (SMS)").wait_for()


def test_the_sms_code_is_sent_again_after_the_cool_down(small: Watched, world: World) -> None:
    p = small.page
    p.clock.install()  # the browser's seconds, moved on with the server's below
    login, account_id = bare_account(world)
    log_in(p, login, PASSWORD)
    to_sms_step(p)
    first = sms_code(world.container, account_id, "SMARTOTP_REGISTER")
    resend = p.locator("#sms-resend")
    expect(resend).to_be_disabled()  # the cool-down is said, counted down on the button
    expect(resend).to_have_text(re.compile(r"^Gửi lại OTP sau (1 phút|\d{1,2} giây)$"))
    fits(p)
    shot(p, "ux-sms-resend-wait")
    world.clock.advance(61)
    p.clock.fast_forward(61_000)
    expect(resend).to_have_text("Gửi lại OTP")
    expect(resend).to_be_enabled()
    resend.click()
    expect(p.get_by_role("status")).to_contain_text("Đã gửi lại mã OTP qua SMS đến")
    expect(resend).to_be_disabled()  # and the cool-down starts again
    second = sms_code(world.container, account_id, "SMARTOTP_REGISTER")
    assert second != first
    shot(p, "ux-sms-resent")
    p.get_by_label("Mã OTP (SMS)").fill(second)
    p.get_by_role("button", name="Tiếp tục").click()
    expect(p.get_by_label("Mã kích hoạt")).to_be_visible()  # the resent code was the one
    no_codes(p)


def test_a_token_step_without_network_says_so_in_vietnamese(small: Watched,
                                                            world: World) -> None:
    p = small.page
    login, _ = bare_account(world)
    log_in(p, login, PASSWORD)
    p.get_by_role("link", name="SmartOTP", exact=True).first.click()
    expect(p.get_by_role("heading", name="SmartOTP", level=1)).to_be_visible()
    p.context.set_offline(True)
    p.get_by_role("button", name="Đăng ký SmartOTP").click()
    expect(p.get_by_role("alert")).to_have_text("Không kết nối được máy chủ. Vui lòng thử lại.")
    shot(p, "ux-token-offline")
    p.context.set_offline(False)
    p.get_by_role("button", name="Đăng ký SmartOTP").click()  # and the same button goes on
    expect(p.get_by_role("heading", name="Điều khoản sử dụng SmartOTP")).to_be_visible()
    expect(p.get_by_role("alert")).to_have_count(0)
    fits(p)


def test_a_page_that_needs_a_token_or_a_certificate_shows_the_way(small: Watched,
                                                                  world: World) -> None:
    p = small.page
    login, _ = bare_account(world)
    log_in(p, login, PASSWORD)
    p.goto("/#register")
    expect(p.locator("#ob-need-token")).to_contain_text("Vui lòng đăng ký SmartOTP")
    fits(p)
    shot(p, "ux-register-needs-token")
    p.locator("#main").get_by_role("link", name="Đăng ký SmartOTP").click()
    expect(p.get_by_role("heading", name="SmartOTP", level=1)).to_be_visible()
    p.goto("/#buy")
    pack = p.locator("form.product[data-code^='pack']").first
    expect(pack).to_contain_text("Quý khách chưa có chứng thư số")
    fits(p)
    shot(p, "ux-buy-needs-certificate")
    pack.get_by_role("link", name="Đăng ký chứng thư số").click()
    expect(p.get_by_role("heading", name="Đăng ký chứng thư số", level=1)).to_be_visible()
    no_codes(p)


def test_the_registration_form_says_how_to_write_the_name_and_what_a_package_costs(
        small: Watched, world: World) -> None:
    p, (login, _, _) = small.page, token_account(world)
    log_in(p, login, PASSWORD)
    p.goto("/#register")
    form = p.locator("#ob-form")
    expect(form.get_by_label("Họ và tên")).to_have_accessible_description(
        re.compile("Ghi đúng như trên CCCD/CMND, đủ dấu tiếng Việt"))
    expect(form.get_by_label("Số giấy tờ")).to_have_accessible_description(
        re.compile("CCCD: 12 chữ số"))
    expect(form.get_by_label("Ngày hết hạn (nếu có)")).to_have_accessible_description(
        re.compile("Bỏ trống chỉ khi"))
    options = form.get_by_label("Gói dịch vụ").locator("option").all_inner_texts()
    assert options and all(re.search(r"— ([\d.]+ ₫|Miễn phí)$", o) for o in options), options
    # a card issued before 60 has an expiry date: left empty, the field is named as on the form
    today = world.clock.now().date()
    n = uuid.uuid4().int % 10**6
    for label, value in (("Họ và tên", "Đỗ Quốc Huy"), ("Ngày sinh", "04/03/1991"),
                         ("Số giấy tờ", f"001091{n:06d}"),
                         ("Ngày cấp", f"{today - timedelta(days=400):%d/%m/%Y}"),
                         ("Địa chỉ", "3 Lý Thường Kiệt"), ("Phường/Xã", "Hoàn Kiếm"),
                         ("Tỉnh/Thành phố", "Hà Nội")):
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("Giới tính").select_option("M")
    form.get_by_role("button", name="Gửi hồ sơ đăng ký").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Thông tin không hợp lệ: Ngày hết hạn (bắt buộc với thẻ cấp trước 60 tuổi).")
    no_codes(p)
    fits(p)
    shot(p, "ux-registration-form")


def test_a_registration_payment_check_without_network_is_said_in_words(
        small: Watched, world: World) -> None:
    p, (login, headers, _) = small.page, token_account(world)
    today = world.clock.now().date()
    body = {"full_name": "Vũ Thị Lan", "birth_date": "1991-03-04", "sex": "F",
            "id_type": "CCCD", "id_number": f"001191{uuid.uuid4().int % 10**6:06d}",
            "issue_date": f"{today - timedelta(days=400)}",
            "expiry_date": f"{today + timedelta(days=3000)}",
            "phone": "0912345678", "email": "lan@example.vn", "address": "5 Kim Mã",
            "locality": "Ba Đình", "province": "Hà Nội", "package": "per-signature-1y",
            "device_id": f"{login}-phone"}
    r = world.client.post("/api/v1/onboarding/registration", json=body, headers=headers)
    assert r.status_code in (200, 201), r.text
    assert r.json()["state"] == "awaiting_payment"
    log_in(p, login, PASSWORD)
    p.route("**/api/v1/onboarding/registration/payment",
            lambda route: route.abort("internetdisconnected"))
    p.goto("/#register")
    expect(p.locator("#ob-payment")).to_have_text("Không kết nối được máy chủ. Vui lòng thử lại.")
    no_codes(p)
    fits(p)
    shot(p, "ux-registration-payment-offline")


def test_a_step_already_done_in_another_tab_shows_where_the_application_stands(
        small: Watched, world: World) -> None:
    """The activation code typed in a second tab (or sent twice by a double tap): the first
    tab moves on to the eKYC step instead of a refusal naming internal states."""
    p, (login, headers, account_id) = small.page, token_account(world)
    today = world.clock.now().date()
    body = {"full_name": "Lê Thị Hoà", "birth_date": "1991-03-04", "sex": "F",
            "id_type": "CCCD", "id_number": f"001191{uuid.uuid4().int % 10**6:06d}",
            "issue_date": f"{today - timedelta(days=400)}",
            "expiry_date": f"{today + timedelta(days=3000)}", "phone": "0912345679",
            "email": "hoa@example.vn", "address": "9 Hàng Bài", "locality": "Hoàn Kiếm",
            "province": "Hà Nội", "package": "citizen-free-1y", "device_id": f"{login}-phone"}
    r = world.client.post("/api/v1/onboarding/registration", json=body, headers=headers)
    assert r.status_code in (200, 201) and r.json()["state"] == "awaiting_activation", r.text
    log_in(p, login, PASSWORD)
    p.goto("/#register")
    code = last_code(world.container, account_id, "ONBOARDING_ACTIVATION")
    p.get_by_label("Mã kích hoạt").fill(code)
    other = world.client.post("/api/v1/onboarding/registration/activation", json={"code": code},
                              headers=headers)  # the other tab
    assert other.status_code == 200, other.text
    p.get_by_role("button", name="Xác nhận").click()
    expect(p.get_by_role("button", name="Gửi ảnh")).to_be_visible()
    expect(p.locator("#ob-state")).to_have_text("Chờ xác thực giấy tờ (eKYC)")
    no_codes(p)
    fits(p)
    shot(p, "ux-registration-moved-on")


def test_a_transaction_that_can_no_longer_be_confirmed_leaves_no_form(
        small: Watched, world: World) -> None:
    """Expired while on screen, or the fifth wrong code (the token locks): the card says why
    and what to do, takes no more codes, and shows the way on or can be put away."""
    p, customer = small.page, world.customer("Ngô Thị Mai")
    login = world.container.accounts.get(customer.account_id).username
    log_in(p, login, PASSWORD)
    late = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                             json={"phone": "0987654300"}).json()
    p.goto("/#transactions")
    card = p.locator(f'article[data-id="{late["id"]}"]')
    expect(card).to_contain_text("Thay đổi thông tin liên hệ")
    with world.container.uow() as uow:  # the customer was away past its five minutes (the
        challenge = uow.challenges.get(late["id"])  # package's clock stays where it is)
        assert challenge is not None
        uow.challenges.save(replace(challenge, expires_at=world.clock.now() - timedelta(seconds=1)))
        uow.commit()
    assert customer.device is not None
    card.get_by_label("Mã OTP").fill(customer.device.answer(late))
    card.get_by_role("button", name="Xác nhận").click()
    expect(card.get_by_role("alert")).to_have_text(
        "Giao dịch đã hết thời gian xác nhận. Giao dịch này không thể xác nhận được nữa. "
        "Nếu vẫn cần, hãy thực hiện lại thao tác ban đầu để nhận giao dịch mới.")
    expect(card.get_by_label("Mã OTP")).to_have_count(0)
    expect(card.get_by_role("button", name="Xác nhận")).to_have_count(0)
    fits(p)
    shot(p, "ux-tx-expired")
    card.get_by_role("button", name="Đóng").click()
    expect(p.get_by_text("Không có giao dịch nào chờ xác nhận.")).to_be_visible()
    # five wrong codes
    wrong = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                              json={"phone": "0987654301"}).json()
    p.get_by_role("button", name="Làm mới").click()
    card = p.locator(f'article[data-id="{wrong["id"]}"]')
    for left in (4, 3, 2, 1):
        card.get_by_label("Mã OTP").fill("000000")
        card.get_by_role("button", name="Xác nhận").click()
        expect(card.get_by_role("alert")).to_have_text(
            f"Mã OTP không đúng. Còn {left} lần thử.")
    card.get_by_label("Mã OTP").fill("000000")
    card.get_by_role("button", name="Xác nhận").click()
    # the fifth wrong code locks the token: said, no more form, and the way to the SmartOTP page
    expect(card.get_by_role("alert")).to_have_text(
        "SmartOTP đã bị khóa do nhập sai nhiều lần. Vui lòng liên hệ bộ phận hỗ trợ khách "
        "hàng của nhà cung cấp dịch vụ hoặc đặt lại PIN SmartOTP.")
    expect(card.get_by_label("Mã OTP")).to_have_count(0)
    no_codes(p)
    fits(p)
    shot(p, "ux-tx-five-wrong-codes")
    card.get_by_role("link", name="Đến trang SmartOTP").click()
    expect(p.get_by_role("button", name="Quên PIN SmartOTP")).to_be_visible()


def seed_registration(world: World, account_id: str, state: State,
                      credential_id: str | None = None) -> None:
    """A registration of Lê Thị Hoà in ``state``, made an hour ago (not through the API)."""
    at = world.clock.now() - timedelta(hours=1)
    n = uuid.uuid4().int % 10**5
    owner = Owner("Lê Thị Hoà", date(1991, 3, 4), Sex("F"),
                  IdDocument(IdType.CCCD, f"0011910{n:05d}", date(2021, 1, 1), date(2031, 3, 4)))
    contact = Contact(f"hoa{n}@example.vn", "+84912345672", "1 Tràng Tiền", "Hà Nội",
                      "Hoàn Kiếm")
    with world.container.uow() as uow:
        uow.onboarding.add(Registration(str(uuid.uuid4()), account_id, owner, contact,
                                        "per-signature-1y", f"seed-{n}", at, at, state=state,
                                        credential_id=credential_id))
        uow.commit()


def test_a_rejected_application_says_what_can_be_done_and_starts_over(
        small: Watched, world: World) -> None:
    """Rejected for good: not a bare "bị từ chối" but the way on (cancel it and apply again,
    or the support desk), and cancelling brings the form back."""
    p, (login, _, account_id) = small.page, token_account(world)
    seed_registration(world, account_id, State.REJECTED)
    log_in(p, login, PASSWORD)
    p.goto("/#register")
    expect(p.locator("#ob-state")).to_have_text("Bị từ chối")
    expect(p.get_by_text(
        "Quý khách có thể hủy hồ sơ này (nút bên dưới) rồi đăng ký lại")).to_be_visible()
    fits(p)
    shot(p, "ux-registration-rejected")
    p.get_by_role("button", name="Hủy hồ sơ").click()
    p.get_by_role("button", name="Có, hủy hồ sơ").click()
    expect(p.locator("#ob-form")).to_be_visible()
    no_codes(p)
