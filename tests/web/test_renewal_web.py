"""Gia hạn in Chromium, in one flow: from the certificate card, pay a certificate package in
the sandbox, the return page leads straight to the confirmation with the token's code; the new
certificate is listed next to the old one, which stays valid."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot
from tests.web.test_customer_web import pending, username


def test_renew_a_certificate_from_the_home_page(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer(signatures=0)
    log_in(p, username(world, customer), PASSWORD)
    p.get_by_role("button", name="Gia hạn").click()
    renewal = p.locator("#renewal")
    expect(renewal.locator("#renew-old")).to_contain_text("vẫn dùng được đến")
    shot(p, "renew-choose-package")
    renewal.get_by_label("Gói chứng thư số").select_option("unlimited-1y")
    renewal.get_by_role("button", name="Thanh toán").click()
    p.wait_for_url(re.compile(r".*/sandbox/.*"))
    p.get_by_role("button", name="Thanh toán thành công").click()
    expect(p.get_by_text("Thanh toán thành công.")).to_be_visible()
    shot(p, "renew-paid-return")
    p.get_by_role("link", name="Tiếp tục gia hạn chứng thư số").click()  # one flow:
    renewal = p.locator("main")  # straight to the confirmation, nothing to tap again
    expect(renewal.locator("#renew-order")).to_contain_text("Đã thanh toán gói")
    card = renewal.locator("article.tx")
    expect(card).to_contain_text("Gia hạn chứng thư số")
    for shown in ("Chủ chứng thư số", "Hiệu lực", "Gói dịch vụ", "…"):  # what a customer knows
        expect(card).to_contain_text(shown)
    expect(card.locator(".tx-details")).to_contain_text(re.compile(r"\d\d/\d\d/\d{4} – "))
    expect(renewal).not_to_contain_text("kyso-ca")  # never an internal ID
    shot(p, "renew-confirm")
    [tx] = pending(customer)
    assert customer.device is not None
    card.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    card.get_by_role("button", name="Xác nhận").click()
    expect(renewal.get_by_text("Đã gia hạn", exact=False).first).to_be_visible()
    shot(p, "renew-done")
    renewal.get_by_role("button", name="Xem chứng thư số mới").click()
    expect(p.get_by_role("heading", level=1)).to_contain_text("Xin chào")
    expect(p.locator(".available")).to_have_count(2)
    expect(p.locator(".available").filter(has_text="Không giới hạn")).to_have_count(1)
    shot(p, "renew-two-certificates")
    certs = customer.get("/billing/certificates").json()
    assert sorted(c["status"] for c in certs) == ["active", "active"]
