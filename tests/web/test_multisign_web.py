"""Several signers in Chromium on phones: an initiator uploads a contract, names two kyso
customers (by the email and the phone they registered) and drags each one's box; each signer,
in their own browser with their own SmartOTP token, finds it waiting from the home page,
previews it and signs; the initiator follows the progress and downloads the final file,
which pdfsig and pyHanko find valid for both signatures."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import pdfsig
from tests.integration.documents.pdfs import sample_pdf
from tests.web.conftest import PHONE, Watched, log_in, shot
from tests.web.test_customer_web import username
from tests.web.test_signing_web import drag
from tests.web.test_token_web import TOKEN_PIN, register_in_browser
from tests.web.test_whole_journey_web import tap_token

SLOW = 30_000  # ms: what waits for the sandbox (reading, previews, signing) on a busy machine


def _context_page(browser: Browser, world: World) -> Page:
    context = browser.new_context(base_url=world.url, locale="vi-VN", accept_downloads=True,
                                  **PHONE)
    p = context.new_page()
    p.set_default_timeout(15_000)
    return p


def _signer(browser: Browser, world: World, name: str) -> tuple[Customer, Page]:
    """A customer with a SmartOTP token registered in their own browser."""
    world.clock.advance(61)  # a code sent before is past its cool-down
    customer = world.customer(name, smartotp=False)
    p = _context_page(browser, world)
    log_in(p, username(world, customer), PASSWORD)
    register_in_browser(p, world, customer)
    return customer, p


def _contact(world: World, customer: Customer) -> tuple[str, str]:
    with world.container.uow(read_only=True) as uow:
        account = uow.accounts.get(customer.account_id)
    assert account is not None
    return account.email, account.phone


def _sign_in_browser(p: Page, name: str, step: str) -> None:
    p.goto("/")
    p.reload()
    banner = p.locator("#ms-banner")
    expect(banner).to_contain_text("Có 1 tài liệu chờ bạn ký")
    banner.get_by_role("link").click()
    expect(p.get_by_role("heading", name="Ký nhiều người", level=1)).to_be_visible()
    waiting = p.locator("#ms-waiting")
    expect(waiting).to_contain_text("hop-dong-thue-nha.pdf")
    waiting.get_by_role("button", name="Ký tài liệu này").click()
    detail = p.locator("#ms-detail")
    expect(detail).to_contain_text("Đến lượt bạn ký", timeout=SLOW)
    expect(p.locator("#ms-pages img")).to_have_count(2)  # shown once loaded and decoded
    expect(p.locator("#ms-where")).to_contain_text("trang 2")
    shot(p, f"multisign-{step}-signer-{name}")
    p.locator("#ms-sign").click()
    box = p.locator("#ms-sign-flow article.tx")
    expect(box).to_contain_text("hop-dong-thue-nha.pdf")
    shot(p, f"multisign-{step}-confirm-{name}")
    tap_token(box, TOKEN_PIN)
    expect(p.locator("#ms-signed")).to_be_visible(timeout=SLOW)  # a B-T signature
    shot(p, f"multisign-{step}-signed-{name}")


def test_two_signers_each_in_their_own_browser(page: Watched, browser: Browser, world: World,
                                               tmp_path: Path) -> None:
    an, an_page = _signer(browser, world, "Lê Thị An")
    binh, binh_page = _signer(browser, world, "Trần Văn Bình")
    try:
        _steps(page.page, world, an, an_page, binh, binh_page, tmp_path)
    finally:  # the signers' pages poll the server: closed before the world is
        for other in (an_page, binh_page):
            other.context.close()


def _steps(p: Page, world: World, an: Customer, an_page: Page, binh: Customer,
           binh_page: Page, tmp_path: Path) -> None:
    initiator = world.customer("Nguyễn Thị Gửi")
    log_in(p, username(world, initiator), PASSWORD)
    p.get_by_role("navigation", name="main").get_by_role("link", name="Ký nhiều người").click()
    expect(p.locator("#ms-none-waiting")).to_have_text("Hiện không có tài liệu nào chờ bạn ký.")
    shot(p, "multisign-1-start")
    form = p.locator("#ms-new")
    form.get_by_label("Tài liệu PDF").set_input_files(
        {"name": "hop-dong-thue-nha.pdf", "mimeType": "application/pdf",
         "buffer": sample_pdf("Hop dong thue nha", pages=2)})
    form.get_by_role("button", name="Tải lên và chọn người ký").click()
    place = p.locator("#ms-place")
    expect(place.locator(".ms-signer")).to_have_count(2, timeout=SLOW)  # the sandbox reads it
    expect(p.locator("#page-img-2")).to_have_attribute("src", re.compile("^blob:"))
    expect(p.locator("#page-img-2")).to_have_js_property("complete", True)
    # a mistake first: the second signer's login left empty is said in Vietnamese
    logins = place.get_by_label("Email hoặc số điện thoại của người ký")
    an_email, _ = _contact(world, an)
    _, binh_phone = _contact(world, binh)
    logins.nth(0).fill(an_email)
    place.get_by_role("button", name="Gửi yêu cầu ký").click()
    expect(place.get_by_role("alert")).to_have_text(
        "Hãy nhập email hoặc số điện thoại của người ký 2.")
    logins.nth(1).fill(binh_phone)
    drag(p, "#stamp-box-2", -20, -160)  # the second box higher up the page
    shot(p, "multisign-2-place")
    place.get_by_role("button", name="Gửi yêu cầu ký").click()
    detail = p.locator("#ms-detail")
    expect(detail).to_contain_text("Đang chờ ký", timeout=SLOW)
    progress = p.locator("#ms-progress li")
    expect(progress.nth(0)).to_contain_text("Lê Thị An")
    expect(progress.nth(0)).to_contain_text("Đến lượt ký")
    expect(progress.nth(1)).to_contain_text("Đang chờ")
    expect(p.locator("#ms-pages img")).to_have_count(2)  # shown once loaded and decoded
    shot(p, "multisign-3-sent")

    # Bình is second: nothing waits for him yet, and the API says why
    [envelope] = initiator.get("/multisign").json()
    early = binh.world.client.post(f"/api/v1/multisign/{envelope['id']}/sign",
                                   headers=binh.headers | {"Accept-Language": "vi"})
    assert early.status_code == 409
    assert "Chưa đến lượt bạn ký" in early.json()["error_description"]

    _sign_in_browser(an_page, "an", "4")
    _sign_in_browser(binh_page, "binh", "5")
    expect(binh_page.locator("#ms-signed")).to_have_text("Mọi người đã ký xong tài liệu.")

    p.locator("#ms-back").click()
    p.locator("#ms-view").get_by_role("button", name="Mở").first.click()
    expect(detail).to_contain_text("Đã ký xong", timeout=SLOW)
    expect(progress.nth(1)).to_contain_text("Đã ký lúc")
    with p.expect_download() as download:
        p.get_by_role("button", name="Tải tệp đã ký").click()
    assert download.value.suggested_filename == "hop-dong-thue-nha-signed.pdf"
    signed = tmp_path / "signed.pdf"
    download.value.save_as(signed)
    shot(p, "multisign-6-done")
    verdicts = [v for v in pdfsig(world.nss_db(), signed) if "Signature Validation" in v]
    assert [v["Signature Validation"] for v in verdicts] == ["Signature is Valid."] * 2
    assert [v["Signer Certificate Common Name"] for v in verdicts] == ["Lê Thị An",
                                                                      "Trần Văn Bình"]
    report = initiator.validate(signed.read_bytes())  # pyHanko
    assert report["valid"] and len(report["signatures"]) == 2
