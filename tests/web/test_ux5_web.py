"""On a small phone (360×800): a transaction whose time runs out on the page. The phone's clock
counts down, the server's decides: while the server still holds the transaction open (a phone
clock running ahead) its form stays; once the server's time is up too, or the transaction was
handled elsewhere, the form goes and the card says why and what to do, as after a refused
code — a code typed into a dead form would only be refused."""

from __future__ import annotations

import re
from datetime import datetime

from playwright.sync_api import Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, nav_to, shot
from tests.web.test_customer_web import username
from tests.web.test_ux_web import fits, no_codes, small

__all__ = ["small"]  # the 360×800 phone fixture

ENDED = "Giao dịch này không thể xác nhận được nữa."


def _open_card(p: Page, world: World, name: str,
               phone: str) -> tuple[dict[str, str], dict[str, str]]:
    customer = world.customer(name, smartotp=False)
    p.clock.install(time=world.clock.now())  # the browser's clock starts at the server's
    tx = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                           json={"phone": phone}).json()
    log_in(p, username(world, customer), PASSWORD)
    nav_to(p, "Giao dịch chờ xác nhận")
    return customer.headers, tx


def _past(world: World, tx: dict[str, str]) -> float:
    """Seconds that take the server's clock just past the transaction's time (not an hour:
    the session would end first)."""
    return (datetime.fromisoformat(tx["expires_at"]) - world.clock.now()).total_seconds() + 5


def test_a_transaction_past_its_time_loses_its_form_once_the_server_says_so(
        small: Watched, world: World) -> None:
    p = small.page
    headers, tx = _open_card(p, world, "Lò Thị Hoa", "0912345675")
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    code = card.get_by_label("Mã OTP")
    expect(code).to_be_visible()
    p.clock.fast_forward(3_600_000)  # this phone's clock is past the time; the server's is not
    expect(card.locator(".deadline")).to_have_text(re.compile(r"\(đã hết hạn\)$"))
    p.clock.fast_forward(1_000)
    expect(code).to_be_visible()  # the server holds it open: a code typed now still counts
    expect(card.get_by_role("button", name="Xác nhận")).to_be_enabled()
    world.clock.advance(_past(world, tx))  # now the server's time is up too
    late = world.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=headers)
    assert late.status_code == 410, late.text  # another device came late: marked expired
    p.clock.fast_forward(10_000)  # the card asks again: expired, not "handled"
    expect(card.get_by_role("alert")).to_have_text(
        f"Giao dịch đã hết thời gian xác nhận. {ENDED} Nếu vẫn cần, hãy thực hiện lại thao tác "
        "ban đầu để nhận giao dịch mới.")
    expect(code).to_have_count(0)
    expect(card.get_by_role("button", name="Xác nhận")).to_have_count(0)
    fits(p)
    no_codes(p)
    shot(p, "ux5-tx-lapsed")
    card.get_by_role("button", name="Đóng").click()
    expect(card).to_have_count(0)
    expect(p.get_by_text("Không có giao dịch nào chờ xác nhận.")).to_be_visible()


def test_a_transaction_handled_on_another_device_says_so_when_its_time_is_up(
        small: Watched, world: World) -> None:
    p = small.page
    headers, tx = _open_card(p, world, "Vi Văn Tài", "0912345674")
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(card.get_by_label("Mã OTP")).to_be_visible()
    refused = world.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=headers)
    assert refused.status_code == 200, refused.text  # on another device, the page not told
    world.clock.advance(_past(world, tx))
    p.clock.fast_forward(3_600_000)
    expect(card.get_by_role("alert")).to_have_text(re.compile(
        r"^Giao dịch đã được xử lý trên thiết bị khác hoặc trước đó\. " + re.escape(ENDED)))
    expect(card.get_by_label("Mã OTP")).to_have_count(0)
    p.get_by_role("button", name="English").click()
    nav_to(p, "Pending confirmations")
    expect(p.locator(f'article[data-id="{tx["id"]}"]')).to_have_count(0)  # not listed again
    no_codes(p)
