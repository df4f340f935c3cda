"""On a small phone (360×800): time said as a watch says it — a code that cannot be sent again
yet says for how long on its button, and a transaction says how long is left to confirm it (a
clock time alone makes the customer do the sum against their own watch); and a certificate
said in words — the only one named, not offered as a choice of one, with no "—" and no stray
"·" around it."""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime

from playwright.sync_api import expect

from kyso.pki.service import IssueRequest
from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, nav_to, shot
from tests.web.test_customer_web import username
from tests.web.test_ux3_web import send_sign_up
from tests.web.test_ux_web import fits, no_codes, small

__all__ = ["small"]  # the 360×800 phone fixture

WAIT = re.compile(r"^Gửi lại mã (SMS|email) sau (1 phút|\d{1,2} giây)$")


def test_the_sign_up_codes_are_sent_again_after_the_cool_down_said_on_the_buttons(
        small: Watched, world: World) -> None:
    p, n = small.page, uuid.uuid4().int % 10**6
    p.clock.install()  # the browser's seconds, moved on with the server's below
    p.goto("/")
    send_sign_up(p, "Phan Thị Thu", f"096{n:07d}", f"thu{n}@example.vn")
    sms, email = p.locator("#signup-resend-sms"), p.locator("#signup-resend-email")
    expect(sms).to_be_disabled()  # both codes just went: a tap now would only be refused
    expect(email).to_be_disabled()
    expect(sms).to_have_text(WAIT)
    expect(email).to_have_text(WAIT)
    fits(p)
    shot(p, "ux4-signup-resend-wait")
    world.clock.advance(61)
    p.clock.fast_forward(61_000)
    expect(sms).to_have_text("Gửi lại mã SMS")
    expect(sms).to_be_enabled()
    sms.click()
    expect(p.get_by_role("status").filter(has_text="Đã gửi lại mã.")).to_be_visible()
    expect(sms).to_be_disabled()  # its cool-down starts again; the email's does not
    expect(sms).to_have_text(WAIT)
    expect(email).to_be_enabled()
    shot(p, "ux4-signup-resent")
    no_codes(p)


def test_a_transaction_says_how_long_is_left_to_confirm_it(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Tạ Văn Khoa", smartotp=False)
    # the browser's clock is the server's (the test world's clock starts at the real time)
    p.clock.install(time=world.clock.now())
    tx = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                           json={"phone": "0912345676"}).json()
    log_in(p, username(world, customer), PASSWORD)
    nav_to(p, "Giao dịch chờ xác nhận")
    left = p.locator(f'article[data-id="{tx["id"]}"] .deadline')
    expect(left).to_have_text(re.compile(
        r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2} \(còn \d+ phút( \d+ giây)?\)$"))
    fits(p)
    shot(p, "ux4-tx-time-left")
    p.clock.fast_forward(30_000)  # counted down without a reload
    expect(left).to_have_text(re.compile(r"\(còn \d+ phút( \d+ giây)?\)$"))
    p.get_by_role("button", name="English").click()
    expect(left).to_have_text(re.compile(r"\(\d+ min( \d+ s)? left\)$"))
    # the count is the server's (X-Kyso-Time): its time, and the phone's, past the end
    past = (datetime.fromisoformat(tx["expires_at"]) - world.clock.now()).total_seconds() + 5
    world.clock.advance(past)
    p.clock.fast_forward(int(past * 1000))
    expect(left).to_have_text(re.compile(r"^\d{2}/\d{2}/\d{4} \d{2}:\d{2} \(expired\)$"))
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(card.get_by_role("alert")).to_have_text(re.compile(  # the server agreed: no form
        r"^The time to confirm this transaction has run out\. This transaction can no longer"))
    expect(card.get_by_label("OTP code")).to_have_count(0)
    shot(p, "ux4-tx-expired")


def test_one_certificate_is_said_not_offered_as_a_choice_of_one(
        small: Watched, world: World) -> None:
    """A pack is bought for the customer's only certificate: named, not a select of one; a
    certificate with no package says so in words; the holder card reads one fact a line."""
    p, customer = small.page, world.customer("Hồ Thị Lan")
    [cert] = world.client.get("/api/v1/billing/certificates", headers=customer.headers).json()
    log_in(p, username(world, customer), PASSWORD)
    nav_to(p, "Mua gói dịch vụ")
    pack = p.locator("form.product").filter(has=p.get_by_label("Cho chứng thư số")).first
    expect(pack.locator("select")).to_have_count(0)
    expect(pack.get_by_label("Cho chứng thư số")).to_have_text(
        re.compile(r"^Hồ Thị Lan — hạn đến \d{2}/\d{2}/\d{4}$"))
    fits(p)
    shot(p, "ux4-buy-one-certificate")
    with p.expect_request(lambda r: r.url.endswith("/api/v1/billing/orders")
                          and r.method == "POST") as sent:
        pack.get_by_role("button", name="Mua").click()
    assert json.loads(sent.value.post_data or "{}")["credential_id"] == cert["credential_id"]
    expect(p.get_by_role("heading", name="Cổng thanh toán thử nghiệm")).to_be_visible()
    # a second certificate: now a choice, each named in words
    world.container.pki.issue(IssueRequest(account=customer.account_id, province="Hà Nội",
                                           locality="Ba Đình"), actor="test")
    p.goto("/#buy")
    choice = p.locator("form.product").first.get_by_label("Cho chứng thư số")
    expect(choice.locator("option")).to_have_count(2)
    expect(choice.locator("option").first).to_have_text(re.compile(r"^Hồ Thị Lan — hạn đến "))
    p.goto("/#home")  # back, the order left unpaid
    assert cert["package"] is None  # issued by the CA, signatures credited by hand
    expect(p.locator('td[data-label="Gói dịch vụ"]').first).to_have_text(  # not "—"
        "Chưa có gói dịch vụ")
    # the holder in plain words, not the X.509 "Chủ thể"
    expect(p.locator('td[data-label="Chủ chứng thư số"]').first).to_have_text("Hồ Thị Lan")
    nav_to(p, "Tài khoản")
    hold = p.locator(".hold").first  # one card a certificate
    expect(hold.locator("dt")).to_have_text(["Chủ chứng thư số", "Số hiệu", "Trạng thái"])
    expect(hold.locator("dd").first).to_have_text("Hồ Thị Lan")
    expect(hold.locator("dd").last).to_have_text("Đang hoạt động")
    assert "·" not in hold.inner_text()
    fits(p)
    shot(p, "ux4-holder-card")
