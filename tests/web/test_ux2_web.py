"""A certificate's serial on a small phone (360×800): the same short form on every page a
customer sees it ("4AAF08…94DA", as the renewal shows it), the whole value behind "Xem đầy đủ"."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, shot
from tests.web.test_customer_web import username
from tests.web.test_mends_web import log_in_small
from tests.web.test_ux_web import fits, small

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
