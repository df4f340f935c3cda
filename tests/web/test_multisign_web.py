"""Several signers in Chromium on phones: an initiator uploads a contract, names two kyso
customers (by the email and the phone they registered) and drags each one's box; each signer,
in their own browser with their own SmartOTP token, finds it waiting from the home page,
previews it, chooses their own stamp (a drawn signature, a reason, a place), sees it on the
confirmation card in Vietnamese and signs. After each signature the QR code printed in the
newest stamp opens its public verification page in a fresh browser with no login, which
lists the document's signatures and says whether it is complete. The initiator follows the
progress and downloads the final file, which pdfsig and pyHanko find valid for both
signatures."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import pdfsig
from tests.integration.documents.pdfs import sample_pdf
from tests.integration.documents.test_verify import needs_zbar, qr_of
from tests.web.conftest import PHONE, Watched, log_in, shot
from tests.web.test_customer_web import username
from tests.web.test_signing_web import drag, draw_signature
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


def _sign_in_browser(p: Page, name: str, step: str, reason: str, place: str, *,
                     reject_first: bool = False) -> None:
    p.goto("/")
    p.reload()
    banner = p.locator("#ms-banner")
    expect(banner).to_have_text("Có 1 tài liệu chờ Quý khách ký")
    banner.get_by_role("link").click()
    expect(p.get_by_role("heading", name="Ký nhiều người", level=1)).to_be_visible()
    waiting = p.locator("#ms-waiting")
    expect(waiting).to_contain_text("hop-dong-thue-nha.pdf")
    waiting.get_by_role("button", name="Ký tài liệu này").click()
    detail = p.locator("#ms-detail")
    expect(detail).to_contain_text("Đến lượt Quý khách ký", timeout=SLOW)
    expect(detail).to_contain_text("B-T — có dấu thời gian")
    expect(p.locator("#ms-pages img")).to_have_count(2)  # shown once loaded and decoded
    expect(p.locator("#ms-where")).to_contain_text("trang 2")
    expect(p.locator("#ms-my-box")).to_have_text("Quý khách ký ở đây")  # drawn on page 2
    mine = p.locator("#ms-pages figure").nth(1).locator("#ms-my-box")
    page_box, my_box = p.locator("#ms-pages img").nth(1).bounding_box(), mine.bounding_box()
    assert page_box and my_box  # drawn over the page, not beside it
    assert page_box["x"] <= my_box["x"] and my_box["x"] + my_box["width"] <= page_box["x"] \
        + page_box["width"] + 1 and page_box["y"] <= my_box["y"] \
        and my_box["y"] + my_box["height"] <= page_box["y"] + page_box["height"] + 1, \
        (page_box, my_box)
    assert my_box["width"] > page_box["width"] / 6, (page_box, my_box)
    shot(p, f"multisign-{step}-signer-{name}")
    if reject_first:  # "not me" on the card: back to the document, still theirs to sign
        p.locator("#ms-sign").click()
        card = p.locator("#ms-sign-flow article.tx")
        card.get_by_role("button", name="Từ chối – không phải tôi").click()
        card.get_by_role("button", name="Có, từ chối").click()
        expect(p.locator("#ms-signed")).to_have_text(
            "Quý khách chưa ký vì giao dịch đã bị từ chối. "
            "Tài liệu vẫn chờ Quý khách ký khi sẵn sàng.",
            timeout=SLOW)
        expect(p.locator("#ms-detail")).to_contain_text("Đến lượt Quý khách ký")
        shot(p, f"multisign-{step}-rejected-{name}")
    turn = p.locator("#ms-turn")
    expect(turn.get_by_role("heading", name="Dấu chữ ký của Quý khách")).to_be_visible()
    draw_signature(p)
    turn.get_by_label("Lý do ký").fill(reason)
    turn.get_by_label("Nơi ký").fill(place)
    shot(p, f"multisign-{step}-stamp-{name}")
    p.locator("#ms-sign").click()
    box = p.locator("#ms-sign-flow article.tx")
    expect(box).to_contain_text("hop-dong-thue-nha.pdf")
    # what they chose, on the card they approve, in Vietnamese; no internal code
    for label, value in (("Lý do ký", reason), ("Nơi ký", place),
                         ("Hình chữ ký tay", "Có — hình chữ ký tay Quý khách đã chọn"),
                         ("Thứ tự người ký", "")):
        expect(box.locator("dt", has_text=label)).to_have_count(1)
        expect(box).to_contain_text(value)
    expect(box).not_to_contain_text("Mã yêu cầu ký")  # the envelope's UUID is kyso's own
    expect(p.locator("#ms-stamp")).to_have_count(0)
    expect(p.locator("#ms-chosen img")).to_have_js_property("complete", True)
    assert p.locator("#ms-chosen img").evaluate("i => i.naturalWidth") > 0
    shot(p, f"multisign-{step}-confirm-{name}")
    tap_token(box, TOKEN_PIN)
    expect(p.locator("#ms-signed")).to_be_visible(timeout=SLOW)  # a B-T signature
    shot(p, f"multisign-{step}-signed-{name}")


def _scan_newest_stamp(browser: Browser, world: World, p: Page, tmp_path: Path, step: str,
                       signer: str, signed: int) -> list[str]:
    """The signer downloads the file as it stands; the QR code of the newest stamp opens
    its public page in a fresh browser with no login. The public pages it found."""
    with p.expect_download() as download:
        p.locator("#ms-download").click()
    path = tmp_path / f"step-{step}.pdf"
    download.value.save_as(path)
    urls = qr_of(path, 2)
    assert len(urls) == signed and all(u.startswith(f"{world.url}/v/") for u in urls), urls
    shown = [a.get_attribute("href") for a in p.locator("#ms-progress a.ms-verify").all()]
    assert sorted(urls) == sorted(f"{world.url}{h}" for h in shown), (urls, shown)
    context = browser.new_context(locale="vi-VN", **PHONE)
    visitor = Watched(context.new_page())
    v = visitor.page
    v.set_default_timeout(15_000)
    newest = f"{world.url}{shown[-1]}"
    v.goto(newest)
    expect(v.locator("#verify-verdict")).to_contain_text("Chữ ký hợp lệ")
    expect(v.locator("#verify-signer")).to_have_text(signer)
    expect(v.locator("#verify-level")).to_contain_text("B-T")
    rows = v.locator("#verify-signatures li")
    expect(rows).to_have_count(2)
    expect(rows.nth(signed - 1)).to_contain_text("(chữ ký đang xem)")
    summary = v.locator("#verify-many-summary")
    if signed == 1:
        expect(summary).to_have_text("Tài liệu mới có 1/2 chữ ký; còn chờ 1 người ký.")
        expect(rows.nth(1)).to_contain_text("Chưa ký")
    else:
        expect(summary).to_have_text("Tài liệu đã được ký đủ 2/2 chữ ký, tất cả đều hợp lệ.")
        expect(rows.nth(0)).to_contain_text("Lê Thị An")
    v.locator("#verify-file").set_input_files(str(path))
    expect(v.locator("#verify-result")).to_have_text(
        "Khớp: tệp này là tài liệu đã ký và có chữ ký này.")
    expect(v.locator("body")).not_to_contain_text("hop-dong-thue-nha")  # no file name
    shot(v, f"multisign-{step}-verify-{signed}")
    if signed == 2:  # the first signature's page, reached from the list
        rows.nth(0).get_by_role("link", name="Xem chữ ký này").click()
        expect(v.locator("#verify-signer")).to_have_text("Lê Thị An")
        expect(v.locator("#verify-many-summary")).to_contain_text("ký đủ 2/2")
        v.locator("#verify-file").set_input_files(str(path))  # the final file holds it too
        expect(v.locator("#verify-result")).to_contain_text("Khớp")
        shot(v, f"multisign-{step}-verify-first")
    context.close()
    visitor.assert_clean()
    return urls


@needs_zbar
def test_two_signers_each_in_their_own_browser(page: Watched, browser: Browser, world: World,
                                               tmp_path: Path) -> None:
    an, an_page = _signer(browser, world, "Lê Thị An")
    binh, binh_page = _signer(browser, world, "Trần Văn Bình")
    try:
        _steps(page.page, browser, world, an, an_page, binh, binh_page, tmp_path)
    finally:  # the signers' pages poll the server: closed before the world is
        for other in (an_page, binh_page):
            other.context.close()


def _steps(p: Page, browser: Browser, world: World, an: Customer, an_page: Page,
           binh: Customer, binh_page: Page, tmp_path: Path) -> None:
    initiator = world.customer("Nguyễn Thị Gửi")
    log_in(p, username(world, initiator), PASSWORD)
    p.get_by_role("navigation", name="main").get_by_role("link", name="Ký nhiều người").click()
    expect(p.locator("#ms-none-waiting")).to_have_text(
        "Hiện không có tài liệu nào chờ Quý khách ký.")
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
    expect(p.locator("#ms-signed")).to_have_text(
        "Đã gửi yêu cầu ký. Lê Thị An đã được báo để ký trước; trang này tự cập nhật khi có "
        "người ký.")
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
    assert "Chưa đến lượt Quý khách ký" in early.json()["error_description"]

    _sign_in_browser(an_page, "an", "4", "Đồng ý thuê nhà", "Hà Nội")
    _scan_newest_stamp(browser, world, an_page, tmp_path, "4", "Lê Thị An", 1)
    # the initiator's open page follows: An's signature appears, with its public page
    expect(progress.nth(0)).to_contain_text("Đã ký lúc", timeout=SLOW)
    expect(progress.nth(0).get_by_role("link", name="Xem trang xác minh chữ ký")).to_be_visible()
    expect(progress.nth(1)).to_contain_text("Đến lượt ký")
    shot(p, "multisign-4-progress")
    _sign_in_browser(binh_page, "binh", "5", "Bên thuê đồng ý", "TP. Hồ Chí Minh",
                     reject_first=True)
    expect(binh_page.locator("#ms-signed")).to_have_text("Mọi người đã ký xong tài liệu.")
    _scan_newest_stamp(browser, world, binh_page, tmp_path, "5", "Trần Văn Bình", 2)

    p.locator("#ms-back").click()
    listed = p.locator("#ms-view table tbody tr", has_text="hop-dong-thue-nha.pdf")
    expect(listed).to_contain_text("Đã ký xong")
    expect(listed).to_contain_text("Đã ký 2/2")
    shot(p, "multisign-6-list")
    listed.get_by_role("button", name="Mở").click()
    expect(detail).to_contain_text("Đã ký xong", timeout=SLOW)
    expect(detail).to_contain_text("Hoàn tất lúc")
    expect(detail).not_to_contain_text("Hạn ký đến")
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
