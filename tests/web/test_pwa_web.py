"""The installable app: manifest and icons, a service worker that keeps the whole shell (and
no API answer), the token screens with the network off, and a new version announced."""

from __future__ import annotations

import re
import struct

import httpx
import pytest
from playwright.sync_api import expect

from kyso.entrypoints.web import site
from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.web.conftest import Watched, log_in, shot, until
from tests.web.test_customer_web import username
from tests.web.test_token_web import TOKEN_PIN, is_synced_code, register_in_browser, verify


def test_the_manifest_names_the_app_in_vietnamese_with_its_icons(world: World) -> None:
    r = httpx.get(world.url + "/manifest.webmanifest")
    assert r.status_code == 200 and r.headers["content-type"] == "application/manifest+json"
    body = r.json()
    assert body["name"] == "kyso — Ký số từ xa" and body["lang"] == "vi"
    assert body["display"] == "standalone" and body["start_url"] == "/"
    assert re.fullmatch(r"#[0-9a-f]{6}", body["theme_color"])
    seen = set()
    for icon in body["icons"]:
        png = httpx.get(world.url + icon["src"])
        assert png.status_code == 200 and png.content[:8] == b"\x89PNG\r\n\x1a\n"
        width, height = struct.unpack(">II", png.content[16:24])
        assert icon["sizes"] == f"{width}x{height}"
        seen.add((width, icon["purpose"]))
    assert {(192, "any"), (512, "any"), (512, "maskable")} <= seen
    worker = httpx.get(world.url + "/sw.js")
    assert worker.status_code == 200
    assert worker.headers["content-type"].startswith("text/javascript")
    assert "default-src 'self'" in worker.headers["content-security-policy"]
    assert re.match(r'const VERSION = "[0-9a-f]{16}";\nconst SHELL = \[', worker.text)
    assert '"/static/js/token/vault.js"' in worker.text and "/api/" not in worker.text.split(
        "\n")[1]


def test_offline_the_shell_opens_and_the_token_makes_a_code(page: Watched, world: World,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    p, customer = page.page, world.customer("Trịnh Văn Nam", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    assert p.evaluate("navigator.serviceWorker.ready.then((r) => Boolean(r.active))")
    seed = register_in_browser(p, world, customer)
    until(p, "Boolean(navigator.serviceWorker.controller)")
    cached = p.evaluate("""caches.keys().then(async (names) => {
      const urls = [];
      for (const n of names) for (const r of await (await caches.open(n)).keys()) urls.push(r.url);
      return { names, urls };
    })""")
    assert len(cached["names"]) == 1 and cached["names"][0].startswith("kyso-shell-")
    assert any(u.endswith("/static/js/token/oath.js") for u in cached["urls"])
    assert not [u for u in cached["urls"] if "/api/" in u]  # never an API answer
    p.get_by_role("button", name="Đăng xuất").click()
    expect(p.get_by_role("status")).to_have_text("Quý khách đã đăng xuất.")
    p.context.set_offline(True)
    p.reload()
    p.get_by_role("button", name="Lấy mã SmartOTP").click()
    p.get_by_label("PIN SmartOTP").fill(TOKEN_PIN)
    p.get_by_role("button", name="Lấy mã", exact=True).click()
    expect(p.locator("#otp-code")).to_have_text(re.compile(r"^\d{6}$"))
    shot(p, "pwa-offline-code")
    code = p.locator("#otp-code").text_content() or ""
    p.context.set_offline(False)
    assert is_synced_code(code, seed, world), code
    assert verify(customer, code) == 204
    # the browser logs the requests the missing network refused; nothing else may be logged
    page.errors = [e for e in page.errors if "net::ERR_INTERNET_DISCONNECTED" not in e]
    # a new version: announced, and loaded only when asked, whole
    old = site._worker()
    newer = old.replace(b'const VERSION = "', b'const VERSION = "n', 1)
    monkeypatch.setattr(site, "_worker", lambda: newer)
    p.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    banner = p.locator("#update-banner")
    expect(banner).to_contain_text("Đã có phiên bản mới")
    shot(p, "pwa-update")
    banner.get_by_role("button", name="Tải lại").click()
    expect(banner).to_have_count(0)
    until(p, "caches.keys().then((n) => n.length === 1 && n[0].startsWith('kyso-shell-n'))")
    assert p.evaluate("caches.keys()") == [p.evaluate("caches.keys()")[0]]
    assert p.evaluate("caches.keys()")[0].startswith("kyso-shell-n")  # the old shell is gone
