"""On a small phone (360×800): time judged by the server's clock. The app counts a deadline in
the server's time (X-Kyso-Time on every /api/v1/ answer), so a phone clock minutes behind, an
hour ahead or a day ahead neither stretches nor cuts a transaction's time or the session; at
the end of the count the server decides: still open, the form stays; ended (expired, or
handled on another device), the form goes and the card says why and what to do, as after a
refused code; offline, the card asks again once the network is back."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from playwright.sync_api import Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, nav_to, shot
from tests.web.test_customer_web import username
from tests.web.test_ux_web import fits, no_codes, small

__all__ = ["small"]  # the 360×800 phone fixture

ENDED = "Giao dịch này không thể xác nhận được nữa."


def _open_card(p: Page, world: World, name: str, phone: str,
               behind: timedelta = timedelta()) -> tuple[dict[str, str], dict[str, str]]:
    customer = world.customer(name, smartotp=False)
    p.clock.install(time=world.clock.now() - behind)  # the phone's clock, off by ``behind``
    tx = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                           json={"phone": phone}).json()
    log_in(p, username(world, customer), PASSWORD)
    nav_to(p, "Giao dịch chờ xác nhận")
    return customer.headers, tx


def _past(world: World, tx: dict[str, str]) -> float:
    """Seconds that take the server's clock just past the transaction's time (not an hour:
    the session would end first)."""
    return (datetime.fromisoformat(tx["expires_at"]) - world.clock.now()).total_seconds() + 5


def test_a_phone_clock_jumping_ahead_keeps_a_live_form_until_the_servers_time_is_up(
        small: Watched, world: World) -> None:
    p = small.page
    headers, tx = _open_card(p, world, "Lò Thị Hoa", "0912345675")
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    code, left = card.get_by_label("Mã OTP"), card.locator(".deadline")
    expect(code).to_be_visible()
    p.clock.fast_forward(3_600_000)  # this phone's clock jumps an hour; the server's does not
    p.clock.fast_forward(1_000)
    # the card asked the server, which holds it open: the form stays, counted in its time
    # (the answer may take seconds on a loaded CI machine: the count is "over" until it comes)
    expect(left).to_have_text(re.compile(r"\(còn \d+ phút( \d+ giây)?\)$"), timeout=20_000)
    expect(code).to_be_visible()
    expect(card.get_by_role("button", name="Xác nhận")).to_be_enabled()
    past = _past(world, tx)
    world.clock.advance(past)  # now the server's time is up too
    late = world.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=headers)
    assert late.status_code == 410, late.text  # another device came late: marked expired
    p.clock.fast_forward(int(past * 1000))
    expect(card.get_by_role("alert")).to_have_text(  # expired, not "handled"
        f"Giao dịch đã hết thời gian xác nhận. {ENDED} Nếu vẫn cần, hãy thực hiện lại thao tác "
        "ban đầu để nhận giao dịch mới.")
    expect(left).to_have_text(re.compile(r"\(đã hết hạn\)$"))
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
    past = _past(world, tx)
    world.clock.advance(past)
    p.context.set_offline(True)  # the phone has no network when the time runs out
    p.clock.fast_forward(int(past * 1000))
    expect(card.locator(".deadline")).to_have_text(re.compile(r"\(đã hết hạn\)$"))
    p.clock.fast_forward(10_000)
    expect(card.get_by_label("Mã OTP")).to_be_visible()  # nothing heard: nothing said yet
    p.context.set_offline(False)
    p.clock.fast_forward(10_000)  # asked again
    expect(card.get_by_role("alert")).to_have_text(re.compile(
        r"^Giao dịch đã được xử lý trên thiết bị khác hoặc trước đó\. " + re.escape(ENDED)))
    expect(card.get_by_label("Mã OTP")).to_have_count(0)
    p.get_by_role("button", name="English").click()
    nav_to(p, "Pending confirmations")
    expect(p.locator(f'article[data-id="{tx["id"]}"]')).to_have_count(0)  # not listed again
    no_codes(p)


def test_a_phone_clock_minutes_off_still_counts_the_servers_minutes(
        small: Watched, world: World) -> None:
    p = small.page
    _, tx = _open_card(p, world, "Mùa A Sử", "0912345673", behind=timedelta(minutes=15))
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    given = (datetime.fromisoformat(tx["expires_at"]) - world.clock.now()).total_seconds()
    assert given <= 10 * 60  # a transaction lives minutes, far less than the 15 it is off
    # the server's minutes (X-Kyso-Time), not the phone's 15 more
    whole = int(given // 60)
    expect(card.locator(".deadline")).to_have_text(re.compile(
        rf"\(còn ({whole}|{whole - 1}) phút( \d+ giây)?\)$"))
    expect(card.get_by_label("Mã OTP")).to_be_visible()
    shot(p, "ux5-tx-phone-clock-behind")
    past = _past(world, tx)
    world.clock.advance(past)
    p.clock.fast_forward(int(past * 1000))  # the server's time is up: not 15 minutes later
    expect(card.locator(".deadline")).to_have_text(re.compile(r"\(đã hết hạn\)$"))
    expect(card.get_by_role("alert")).to_have_text(re.compile(
        r"^Giao dịch đã hết thời gian xác nhận\. " + re.escape(ENDED)))
    expect(card.get_by_label("Mã OTP")).to_have_count(0)


def test_a_phone_clock_a_day_ahead_keeps_its_session(small: Watched, world: World) -> None:
    """The session's end (12 hours on) is judged in the server's time too: a phone whose date
    is a day ahead is not sent back to the login at its first step, nor after a reload."""
    p = small.page
    customer = world.customer("Hà Văn Lợi", smartotp=False)
    p.clock.install(time=world.clock.now() + timedelta(days=1))
    log_in(p, username(world, customer), PASSWORD)
    nav_to(p, "Giao dịch chờ xác nhận")
    expect(p.get_by_role("heading", name="Giao dịch chờ xác nhận", level=1)).to_be_visible()
    p.reload()
    nav_to(p, "Trang chủ")
    expect(p.get_by_role("navigation", name="main")).to_be_visible()
    expect(p.get_by_role("button", name="Đăng xuất")).to_be_visible()
    expect(p.get_by_text("Phiên đăng nhập đã hết hạn")).to_have_count(0)
    no_codes(p)
