"""The transaction card labels its details with the server's words (GET /api/v1/vocabulary,
``detail_labels``), in the customer's language: the web keeps no copy of its own."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from kyso.vocabulary import VOCABULARY
from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, nav_to, shot
from tests.web.test_customer_web import username


def test_the_card_labels_its_details_with_the_vocabulary(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Đinh Thị Ngọc", smartotp=False)
    tx = customer.world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                                    json={"phone": "0912345677"}).json()
    log_in(p, username(world, customer), PASSWORD)
    expect(p.locator("#top .live-badge")).to_have_text("1")  # the link's name grows with it
    nav_to(p, "Giao dịch chờ xác nhận")
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    words = VOCABULARY["detail_labels"]
    described, phone = words["description"], words["phone"]
    expect(box.locator(".tx-details dt")).to_have_text([described.vi, phone.vi])
    expect(box.locator(".tx-details dd").last).to_have_text("+84912345677")
    shot(p, "tx-card-words")

    def renamed(route: Any) -> None:  # the label is the server's: change it there, see it here
        body = route.fetch().json()
        assert body["detail_labels"]["phone"] == phone.en
        body["detail_labels"]["phone"] = f"{phone.en} (from the server)"
        route.fulfill(json=body)

    p.route("**/api/v1/vocabulary", renamed)
    p.get_by_role("button", name="English").click()  # English is loaded now, through the route
    expect(box.locator(".tx-details dt")).to_have_text([described.en,
                                                        f"{phone.en} (from the server)"])
