"""The web app in a real browser: Debian's ``chromium`` driven by Playwright, against a live
uvicorn (in a thread) serving one container per package, on SQLite or PostgreSQL.

Chromium is a system package (``scripts/system-deps.sh``); Playwright's own browser
downloads are never used. Without ``/usr/bin/chromium`` these tests fail, they do not skip.

Every page is a phone (390×844, touch, Vietnamese locale). ``shot(page, name)`` keeps a
screenshot under ``test-artifacts/screens/`` (``KYSO_TEST_ARTIFACTS`` moves it); each test's
last screen is kept there too, named after the test.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, ConsoleMessage, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from kyso.bootstrap import bootstrap, init_home
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.databases import world_database
from tests.integration.documents.conftest import World
from tests.integration.pki.conftest import LiveServer

# Debian's chromium, two programs of one build (the source package chromium): the headless
# shell (chromium's "old" headless mode) drives the package, at half the CPU a test of the
# full browser, which opens a browser window with its own toolbar renderer for every context;
# the full browser drives the whole journeys (test_whole_journey_web.py), so each CI pass
# runs both.
CHROMIUM = os.environ.get("KYSO_TEST_CHROMIUM", "/usr/bin/chromium-headless-shell")
FULL_CHROMIUM = os.environ.get("KYSO_TEST_FULL_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(os.environ.get("KYSO_TEST_ARTIFACTS",
                                Path(__file__).resolve().parents[2] / "test-artifacts"))
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2,
         "is_mobile": True, "has_touch": True}


@pytest.fixture(scope="package")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """One kyso for the package: its CA, the default catalogue, a live server."""
    root = tmp_path_factory.mktemp("web")
    server = LiveServer()
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    with ExitStack() as stack:
        db_url = stack.enter_context(world_database(root))
        settings = Settings(home=root / "home", database_url=db_url, public_base_url=server.url,
                            pki_ca_key="rsa-2048", document_max_bytes=256 * 1024)
        init_home(settings)
        container = bootstrap(settings, clock=clock, hasher=FAST_HASHER)
        stack.callback(container.close)
        container.pki.initialize(actor="test")
        container.catalog.load(actor="test")
        client = stack.enter_context(TestClient(create_app(container),
                                                raise_server_exceptions=False))
        url = stack.enter_context(server.serving(create_app(container)))
        (root / "files").mkdir()
        yield World(container, clock, client, url, root / "files")


@pytest.fixture(scope="package")
def playwright() -> Iterator[Playwright]:
    """One Playwright for the package (a process drives its browsers through one)."""
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="package")
def browser(playwright: Playwright) -> Iterator[Browser]:
    yield from launched(playwright, CHROMIUM)


def launched(playwright: Playwright, program: str) -> Iterator[Browser]:
    """Debian's ``program`` under Playwright (never a browser Playwright downloads)."""
    if not Path(program).is_file():
        pytest.fail(f"{program} is missing: run scripts/system-deps.sh (Debian's chromium)")
    browser = playwright.chromium.launch(executable_path=program, args=["--no-sandbox"])
    yield browser
    browser.close()


class Watched:
    """A page whose console errors, page errors and CSP violations are collected."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda exc: self.errors.append(f"pageerror: {exc}"))

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not _expected(message.text):
            self.errors.append(message.text)

    def assert_clean(self) -> None:
        assert self.errors == [], self.errors


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """A failed browser test's report says where each of its pages stood: the address,
    the text on screen (an error sentence shown there) and the errors the page logged; CI
    keeps the screenshots, but the log is what one reads first."""
    report = yield
    if report.when == "call" and report.failed:
        for name, value in getattr(item, "funcargs", {}).items():
            page = value.page if isinstance(value, Watched) else value
            if isinstance(page, Page) and not page.is_closed():
                report.sections.append((f"page {name!r} at the failure", _where(page, value)))
    return report


def _where(page: Page, value: object) -> str:
    try:
        text = page.inner_text("body", timeout=2_000)
    except PlaywrightError as exc:
        text = f"(no text: {exc.message.splitlines()[0]})"
    errors = value.errors if isinstance(value, Watched) else []
    return "\n".join([page.url, text[:3000], *(f"logged: {e}" for e in errors)])


def _expected(text: str) -> bool:
    """The browser logs every 4xx a fetch gets, and every fetch while the test has cut the
    network; the tests provoke both on purpose."""
    return ("Failed to load resource: the server responded with a status of 4" in text
            or "net::ERR_INTERNET_DISCONNECTED" in text)


def shot(page: Page, name: str) -> Path:
    """Keep a full-page screenshot of what the customer sees now (a test artifact): one
    image pixel per CSS pixel (390 wide), where the phone's own two per pixel took chromium
    2.5 × as long to capture and encode (about 0.3 s a page, 470 pages a run)."""
    path = ARTIFACTS / "screens" / f"{name}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(path), full_page=True, scale="css")
    return path


@pytest.fixture
def page(browser: Browser, world: World, request: pytest.FixtureRequest) -> Iterator[Watched]:
    context = browser.new_context(base_url=world.url, locale="vi-VN", accept_downloads=True,
                                  **PHONE)
    watched = Watched(context.new_page())
    watched.page.set_default_timeout(15_000)
    yield watched
    if not watched.page.is_closed():
        shot(watched.page, f"{request.node.name}-last")
    context.close()
    watched.assert_clean()


def log_in(page: Page, login: str, password: str, path: str = "/") -> None:
    page.goto(path)
    page.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(login)
    page.get_by_label("Mật khẩu", exact=True).fill(password)
    page.get_by_role("button", name="Đăng nhập").click()
    page.get_by_role("button", name="Đăng xuất").wait_for()


def nav_to(page: Page, name: str) -> None:
    """Open a page from the main navigation (the home page may link it too, once loaded).

    The link's name starts with ``name``: "Giao dịch chờ xác nhận" gains a live badge
    ("… 1 giao dịch chờ xác nhận") once the event stream has counted the pending requests.
    """
    label = re.compile(rf"^{re.escape(name)}(\s|$)")
    page.get_by_role("navigation", name="main").get_by_role("link", name=label).click()


def deliver(world: World) -> int:
    """One pass of the outbox worker (codes, mail, webhooks, then the signing receipts due),
    in a thread of its own as in kyso: the test's own thread runs Playwright's event loop,
    where pyHanko's ``asyncio.run`` (a receipt's signature) cannot start."""
    pool = ThreadPoolExecutor(1, thread_name_prefix="outbox")
    try:
        return pool.submit(world.container.outbox_worker().run_once).result(timeout=60)
    finally:
        pool.shutdown(wait=False)


def until(page: Page, expression: str, timeout: float = 15.0) -> None:
    """Wait until ``expression`` (JavaScript; a promise is awaited) is true in the page.
    ``page.wait_for_function`` would do, but its polling runs the expression through the
    page's ``eval``, which kyso's CSP refuses (no 'unsafe-eval') in chromium's headless
    shell; ``page.evaluate`` goes through the DevTools protocol, as the tests' other reads."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(100)


def session_token(page: Page) -> Any:
    return page.evaluate("sessionStorage.getItem('kyso.session')")
