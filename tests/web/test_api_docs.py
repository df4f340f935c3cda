"""The API documentation pages load in chromium with every other host unreachable: their
scripts and styles are kyso's own (pinned in requirements.lock), no CDN."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Route, expect

from tests.integration.documents.conftest import World
from tests.web.conftest import ARTIFACTS, Watched


@pytest.mark.parametrize(("path", "ready"), [("/docs", ".swagger-ui .info .title"),
                                             ("/redoc", "h1")])
def test_the_api_docs_load_with_the_network_off(page: Watched, world: World, path: str,
                                                ready: str) -> None:
    own = urlsplit(world.url).netloc
    elsewhere: list[str] = []

    def only_kyso(route: Route) -> None:
        if urlsplit(route.request.url).netloc == own:
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    page.page.route("**/*", only_kyso)
    page.page.goto(path)
    expect(page.page.locator(ready).first).to_contain_text("kyso", timeout=30_000)
    screen = ARTIFACTS / "screens" / f"api-docs-{path.strip('/')}.png"
    screen.parent.mkdir(parents=True, exist_ok=True)
    page.page.screenshot(path=str(screen))  # the first screen: the whole page is metres long
    assert elsewhere == []
    # ReDoc's bundle asks for its maker's logo on a CDN: the page's CSP refuses it before
    # any request leaves (the browser logs that refusal, which is the point)
    page.errors = [e for e in page.errors if "cdn.redoc.ly" not in e]
    page.page.close()  # no full-page "last screen" of a document this long
