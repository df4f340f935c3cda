"""On a small phone (360×800): a certificate's serial in the same short form on every page a
customer sees it ("4AAF08…94DA", as the renewal shows it), the whole value behind "Xem đầy đủ";
and "Mua gói dịch vụ" says what comes next (registration or renewal) with the link there."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, shot
from tests.web.test_customer_web import username
from tests.web.test_mends_web import log_in_small
from tests.web.test_ux_web import bare_account, fits, no_codes, small

__all__ = ["small"]  # the 360×800 phone fixture


def test_the_serial_is_short_on_home_and_account_with_the_whole_one_a_tap_away(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Trần Văn Bình")
    [cert] = customer.get("/billing/certificates").json()
    full = str(cert["serial"]).upper()
    assert len(full) > 12, full  # a real serial: long enough to be shortened
    short = f"{full[:6]}…{full[-4:]}"
    log_in_small(p, username(world, customer))
    for path in ("/#home", "/#account"):
        p.goto(path)
        serial = p.locator(".serial").first
        expect(serial).to_have_text(short)
        expect(serial).to_have_attribute("title", full)
        whole = p.locator(".serial-full").first
        expect(whole).to_be_hidden()
        p.locator(".serial-more summary").first.click()
        expect(whole).to_be_visible()
        expect(whole).to_have_text(full)
        fits(p)
        shot(p, f"ux2-serial-{path[2:]}")


def pay_for(p: Page, code: str) -> None:
    """Buy the package on "Mua gói dịch vụ", pay in the sandbox, come back to the page."""
    p.locator(f'form.product[data-code="{code}"]').get_by_role("button", name="Mua").click()
    p.wait_for_url(re.compile(r".*/sandbox/.*"))
    p.get_by_role("button", name="Thanh toán thành công").click()
    p.locator("#back-to-orders").click()
    expect(p.get_by_role("heading", name="Gói dịch vụ", exact=True)).to_be_visible()


def test_buying_a_certificate_package_without_a_certificate_leads_to_the_registration(
        small: Watched, world: World) -> None:
    p = small.page
    login, _ = bare_account(world)
    log_in_small(p, login, "/#buy")
    expect(p.get_by_role("heading", name="Gói dịch vụ", exact=True)).to_be_visible()
    nxt = p.locator("#buy-next")
    expect(nxt).to_contain_text("Quý khách chưa có chứng thư số")
    register = nxt.get_by_role("link", name="Đăng ký chứng thư số")
    expect(register).to_have_attribute("href", "#register")
    pay_for(p, "per-signature-1y")
    expect(nxt).to_contain_text("Quý khách đã thanh toán gói")
    expect(nxt).to_contain_text("Bước tiếp theo là đăng ký chứng thư số")
    no_codes(p)
    fits(p)
    shot(p, "ux2-buy-paid-no-certificate")
    nxt.get_by_role("link", name="Đăng ký chứng thư số").click()
    expect(p).to_have_url(re.compile(r"#register$"))


def test_buying_a_certificate_package_with_a_certificate_leads_to_the_renewal(
        small: Watched, world: World) -> None:
    p, customer = small.page, world.customer("Phạm Thị Lan")
    log_in_small(p, username(world, customer), "/#buy")
    expect(p.get_by_role("heading", name="Gói dịch vụ", exact=True)).to_be_visible()
    # the page is drawn at once (products, orders and the next step together): once a product
    # shows, a next step would show too
    expect(p.locator('form.product[data-code="per-signature-1y"]')).to_be_visible()
    expect(p.locator("#buy-next")).to_have_count(0)  # nothing paid waits: nothing to say
    pay_for(p, "per-signature-1y")
    nxt = p.locator("#buy-next")
    expect(nxt).to_contain_text("Bước tiếp theo là bấm “Gia hạn”")
    fits(p)
    shot(p, "ux2-buy-paid-with-certificate")
    nxt.get_by_role("link", name="Về Trang chủ").click()
    expect(p.get_by_role("button", name="Gia hạn").first).to_be_visible()
