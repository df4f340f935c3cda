"""On a small phone (360×800): time judged by the server's clock. The app counts a deadline in
the server's time (X-Kyso-Time on every /api/v1/ answer), so a phone clock minutes behind, an
hour ahead or a day ahead neither stretches nor cuts a transaction's time or the session; at
the end of the count the server decides: still open, the form stays; ended (expired, or
handled on another device), the form goes and the card says why and what to do, as after a
refused code; offline, the card asks again once the network is back. An answer whose round
trip spans a change of the phone's clock only bounds the server's time (the time learnt after
the change stands), and a newer answer saying the time is up has the card ask the server
again."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta

from playwright.sync_api import Locator, Page, Route, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, nav_to, shot
from tests.web.test_customer_web import username
from tests.web.test_ux_web import fits, no_codes, small

__all__ = ["small"]  # the 360×800 phone fixture

ENDED = "Giao dịch này không thể xác nhận được nữa."
LIVE = re.compile(r"\(còn \d+ phút( \d+ giây)?\)$")  # a deadline counted down
LIST = "**/api/v1/transactions"  # the pending list
RECOUNT = "document.dispatchEvent(new Event('visibilitychange'))"  # live.js reads the list again
# answers counted as fetch gives them to the app: the app's code after ``await fetch`` (which
# learns the server's time) has run by the test's next look at the page
COUNTED = """window.answers = 0;
const fetched = window.fetch;
window.fetch = async (...args) => {
  const answer = await fetched(...args);
  window.answers += 1;
  return answer;
};"""

# the card's questions about one transaction, counted when each is answered or fails
ASKED = """(id) => {
  window.asked = 0;
  const fetched = window.fetch;
  window.fetch = async (...args) => {
    try {
      return await fetched(...args);
    } finally {
      if (String(args[0]).endsWith(`/transactions/${id}`)) window.asked += 1;
    }
  };
}"""


def _open_card(p: Page, world: World, name: str, phone: str,
               behind: timedelta = timedelta()) -> tuple[dict[str, str], dict[str, str]]:
    customer = world.customer(name, smartotp=False)
    p.clock.install(time=world.clock.now() - behind)  # the phone's clock, off by ``behind``
    asked = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                              json={"phone": phone})
    assert asked.status_code == 201, asked.text
    tx = asked.json()
    log_in(p, username(world, customer), PASSWORD)
    nav_to(p, "Giao dịch chờ xác nhận")
    return customer.headers, tx


def _live_card(p: Page, world: World, name: str, phone: str
               ) -> tuple[dict[str, str], dict[str, str], Locator, Locator, Locator]:
    """A transaction's card with its code form shown: the headers, the transaction, the
    card, its code field and its deadline."""
    headers, tx = _open_card(p, world, name, phone)
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    code, left = card.get_by_label("Mã OTP"), card.locator(".deadline")
    expect(code).to_be_visible()
    return headers, tx, card, code, left


def _past(world: World, tx: dict[str, str]) -> float:
    """Seconds that take the server's clock just past the transaction's time (not an hour:
    the session would end first)."""
    return (datetime.fromisoformat(tx["expires_at"]) - world.clock.now()).total_seconds() + 5


def test_a_phone_clock_jumping_ahead_keeps_a_live_form_until_the_servers_time_is_up(
        small: Watched, world: World) -> None:
    p = small.page
    headers, tx, card, code, left = _live_card(p, world, "Lò Thị Hoa", "0912345675")
    p.clock.fast_forward(3_600_000)  # this phone's clock jumps an hour; the server's does not
    p.clock.fast_forward(1_000)
    # the card asked the server, which holds it open: the form stays, counted in its time
    # (the answer may take seconds on a loaded CI machine: the count is "over" until it comes)
    expect(left).to_have_text(LIVE, timeout=20_000)
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


def _skew(p: Page) -> int:
    """The server's clock − the phone's, in ms, as the app last learnt it."""
    return int(p.evaluate("sessionStorage.getItem('kyso.skew') || '0'"))


def _until(p: Page, done: Callable[[], bool], what: str) -> None:
    """Wait in real time (the page's clock may be paused or jumped) until ``done``."""
    for _ in range(200):
        if done():
            return
        p.wait_for_timeout(100)
    raise AssertionError(f"still waiting for {what}")


def test_an_answer_on_its_way_while_the_phone_clock_jumps_does_not_end_a_live_form(
        small: Watched, world: World) -> None:
    p = small.page
    *_, card, code, left = _live_card(p, world, "Hà Văn Đức", "0912345662")
    held: list[Route] = []
    p.route(LIST, lambda route: held.append(route))  # the answer is kept on its way
    p.evaluate(COUNTED)
    p.evaluate(RECOUNT)
    _until(p, lambda: bool(held), "the list's request")
    p.clock.fast_forward(3_600_000)  # the phone's clock jumps an hour while it is on its way
    p.clock.fast_forward(1_000)
    expect(left).to_have_text(LIVE, timeout=20_000)
    learnt = _skew(p)  # from the card's own question, asked after the jump
    assert abs(learnt + 3_601_000) < 60_000, learnt
    before = p.evaluate("window.answers")
    held[0].continue_()  # sent before the jump, answered after it: its midpoint is no time
    _until(p, lambda: p.evaluate("window.answers") > before, "the late answer")
    p.clock.fast_forward(1_000)
    assert _skew(p) == learnt  # its trip read "an hour": it only bounds the skew, which lies within
    expect(left).to_have_text(LIVE)
    expect(code).to_be_visible()
    expect(card.get_by_role("button", name="Xác nhận")).to_be_enabled()


def test_a_newer_answer_saying_the_time_is_up_asks_the_server_again(
        small: Watched, world: World) -> None:
    p = small.page
    *_, code, left = _live_card(p, world, "Đinh Thị Nga", "0912345661")
    p.clock.pause_at(p.evaluate("Date.now()"))  # a tick only when the test moves the clock
    true = _skew(p)
    p.clock.fast_forward(3_600_000)  # one tick: the count is over; the card asks the server
    p.clock.run_for(1)
    _until(p, lambda: _skew(p) < true - 3_000_000, "the server's answer")  # its count resumes
    learnt = _skew(p)

    def ahead(route: Route) -> None:  # an answer saying the server is an hour further on
        answer = route.fetch()
        told = int(answer.headers["x-kyso-time"]) + 3_600_000
        route.fulfill(response=answer, headers={**answer.headers, "x-kyso-time": str(told)})

    p.route(LIST, ahead)
    p.evaluate(RECOUNT)
    _until(p, lambda: _skew(p) > learnt + 3_000_000, "the newer answer")
    p.unroute(LIST)
    # both answers came between two ticks: the next tick finds the count over again, with a
    # newer answer than the one the card asked for, so it asks again
    p.clock.run_for(1_000)
    _until(p, lambda: abs(_skew(p) - learnt) < 60_000, "the server asked again")
    p.clock.run_for(1_000)
    expect(left).to_have_text(LIVE)
    expect(code).to_be_visible()
    p.clock.resume()


def test_a_transaction_handled_on_another_device_says_so_when_its_time_is_up(
        small: Watched, world: World) -> None:
    p = small.page
    headers, tx = _open_card(p, world, "Vi Văn Tài", "0912345674")
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(card.get_by_label("Mã OTP")).to_be_visible()
    refused = world.client.post(f"/api/v1/transactions/{tx['id']}/reject", headers=headers)
    assert refused.status_code == 200, refused.text  # on another device, the page not told
    p.evaluate(ASKED, tx["id"])
    past = _past(world, tx)
    world.clock.advance(past)
    p.context.set_offline(True)  # the phone has no network when the time runs out
    p.clock.fast_forward(int(past * 1000))
    expect(card.locator(".deadline")).to_have_text(re.compile(r"\(đã hết hạn\)$"))
    # each question's failure comes in real time; only then is the next one due in 10 s of
    # the page's clock (a jump made before it would pass before the next question is timed)
    _until(p, lambda: p.evaluate("window.asked") >= 1, "the card's question, offline")
    p.clock.fast_forward(10_000)
    _until(p, lambda: p.evaluate("window.asked") >= 2, "the card's next question, offline")
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
