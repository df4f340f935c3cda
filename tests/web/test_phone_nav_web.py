"""The main navigation on a 390 px phone: one row that scrolls sideways, every link reachable
and clickable, the current page's link in view; on a desktop it wraps as before."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot
from tests.web.test_customer_web import username

ROW = """() => {
  const ul = document.querySelector('nav[aria-label="main"] ul');
  const box = ul.getBoundingClientRect();
  const links = [...ul.querySelectorAll("a")].map((a) => a.getBoundingClientRect());
  const cur = ul.querySelector('[aria-current="page"]')?.getBoundingClientRect();
  return { height: box.height, tops: [...new Set(links.map((r) => Math.round(r.top)))],
    scrolls: ul.scrollWidth > ul.clientWidth, wrap: getComputedStyle(ul).flexWrap,
    current: cur ? cur.left >= box.left - 1 && cur.right <= box.right + 1 : null };
}"""


def row(p: Page) -> dict[str, Any]:
    return dict(p.evaluate(ROW))


def test_the_navigation_is_one_scrolling_row_on_a_phone(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Phan Văn Quang")
    log_in(p, username(world, customer), PASSWORD)
    nav = p.get_by_role("navigation", name="main")
    names = nav.get_by_role("link").all_text_contents()
    assert len(names) >= 8
    first = row(p)
    assert len(first["tops"]) == 1 and first["scrolls"] is True
    assert first["height"] < 60  # one row of links, not four
    expect(p.locator("#page-loading")).to_have_count(0)
    shot(p, "nav-phone")
    for name in reversed(names):  # every link reachable and working, the last first
        nav.get_by_role("link", name=name, exact=True).click()
        expect(nav.get_by_role("link", name=name, exact=True)).to_have_attribute(
            "aria-current", "page")
        assert row(p)["current"] is True, name  # scrolled into view
    last = nav.get_by_role("link", name="Đăng ký chứng thư số", exact=True)
    last.click()  # the click scrolls the row to this link; until the page is drawn again the
    # current link is the one before (out of view now): looked at once this one is current
    expect(last).to_have_attribute("aria-current", "page")
    assert row(p)["current"] is True
    expect(p.locator("#page-loading")).to_have_count(0)
    shot(p, "nav-phone-last")
    p.set_viewport_size({"width": 1280, "height": 800})  # the desktop look is kept
    wide = row(p)
    assert wide["wrap"] == "wrap" and wide["scrolls"] is False
