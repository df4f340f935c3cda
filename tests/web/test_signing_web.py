"""Signing the way SmartCA's advanced signing does, in Chromium on a phone: the balance
first, a PDF previewed page by page, the stamp dragged onto the chosen page with a signature
drawn with the finger; a non-PDF signed as a detached CAdES .p7s. Every output is checked
by pdfsig, pyHanko and OpenSSL."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import Page, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import dark_pixels, openssl_cms_verify, pdfsig
from tests.integration.documents.pdfs import A4, sample_pdf
from tests.web.conftest import Watched, log_in, shot


def _login(p: Page, world: World, customer: Customer) -> None:
    account = world.container.accounts.get(customer.account_id)
    log_in(p, account.username, PASSWORD)
    p.get_by_role("link", name="Ký tài liệu").click()


def _confirm(p: Page, customer: Customer) -> None:
    flow = p.locator("#sign-flow")
    [tx] = customer.get("/transactions").json()
    assert customer.device is not None
    flow.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    flow.get_by_role("button", name="Xác nhận").click()
    expect(flow).to_contain_text("Tài liệu đã được ký.")


def drag(p: Page, source: str, dx: float, dy: float) -> None:
    p.locator(source).scroll_into_view_if_needed()
    box = p.locator(source).bounding_box()
    assert box is not None
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    p.mouse.move(x, y)
    p.mouse.down()
    p.mouse.move(x + dx, y + dy, steps=8)
    p.mouse.up()


def draw_signature(p: Page) -> None:
    """A zigzag with the finger on the signature pad."""
    p.locator("#sig-pad").scroll_into_view_if_needed()
    pad = p.locator("#sig-pad").bounding_box()
    assert pad is not None
    p.mouse.move(pad["x"] + 20, pad["y"] + pad["height"] * 0.7)
    p.mouse.down()
    for i in range(1, 12):
        p.mouse.move(pad["x"] + 20 + i * 25, pad["y"] + pad["height"] * (0.3 if i % 2 else 0.75))
    p.mouse.up()


def test_sign_a_pdf_with_a_dragged_stamp_and_a_drawn_signature(page: Watched, world: World,
                                                                tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Phạm Thu Hà")
    _login(p, world, customer)
    expect(p.locator("#balance")).to_contain_text("Lượt ký khả dụng: 1000")
    expect(p.get_by_role("link", name="Mua thêm lượt ký")).to_have_attribute("href", "#buy")
    shot(p, "sign-1-choose")
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "donxin.pdf", "mimeType": "application/pdf", "buffer": sample_pdf(pages=2)})
    form.get_by_role("button", name="Tải lên và ký").click()
    flow = p.locator("#sign-flow")
    expect(flow.get_by_label("Trang đặt chữ ký")).to_have_value("2")  # the last page first
    flow.get_by_label("Trang đặt chữ ký").select_option("1")
    expect(p.locator("#page-img")).to_have_attribute("alt", "Trang 1/2")
    expect(p.locator("#page-img")).to_have_js_property("complete", True)
    drag(p, "#stamp-box", -120, -200)  # up and to the left, over the page's empty middle
    draw_signature(p)
    flow.get_by_label("Lý do ký").fill("Đồng ý")
    shot(p, "sign-2-place")
    flow.get_by_role("button", name="Gửi ký").click()
    expect(flow).to_contain_text("có hình chữ ký ở trang 1")
    expect(flow).to_contain_text("Có — hình chữ ký tay Quý khách đã chọn")  # not its SHA-256
    for internal in ("Mã tài liệu", "Vị trí ô chữ ký", "Hình chữ ký (SHA-256)"):
        expect(flow).not_to_contain_text(internal)
    shot(p, "sign-3-confirm")
    _confirm(p, customer)
    [doc] = customer.get("/documents").json()
    assert doc["page"] == 1 and doc["signature_image"]
    x1, y1, x2, y2 = doc["box"]
    assert x1 < 321 - 100 and y2 > 94 + 150  # moved from the default spot

    with p.expect_download() as download:
        flow.get_by_role("button", name="Tải tài liệu đã ký").click()
    assert download.value.suggested_filename == "donxin-signed.pdf"
    signed = tmp_path / "signed.pdf"
    download.value.save_as(signed)
    shot(p, "sign-4-done")
    [verdict] = pdfsig(world.nss_db(), signed)
    assert verdict["Signature Validation"] == "Signature is Valid.", verdict
    assert "Phạm Thu Hà" in verdict["Signer Certificate Common Name"]
    assert customer.validate(signed.read_bytes())["valid"]  # pyHanko
    drawn = (round(x1) + 6, round(y1) + 6, round((x1 + x2) / 2) - 4, round(y2) - 6)
    assert dark_pixels(signed, 1, drawn, A4[3]) > 100  # the finger-drawn signature
    assert dark_pixels(signed, 2, (321, 24, 571, 94), A4[3]) == 0


def test_sign_any_file_as_cades_in_the_web(page: Watched, world: World, tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Đỗ Minh Tâm")
    _login(p, world, customer)
    content = "Biên bản họp ngày 02/12/2026\n".encode() * 20
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "bienban.txt", "mimeType": "text/plain", "buffer": content})
    form.get_by_label("Mức chữ ký").select_option("B-T")
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(p.locator("#sign-flow")).to_contain_text("CAdES B-T")
    _confirm(p, customer)
    with p.expect_download() as download:
        p.get_by_role("button", name="Tải chữ ký (.p7s)").first.click()
    assert download.value.suggested_filename == "bienban.txt.p7s"
    signature, original = tmp_path / "bienban.txt.p7s", tmp_path / "bienban.txt"
    download.value.save_as(signature)
    original.write_bytes(content)
    shot(p, "sign-cades-done")
    checked = openssl_cms_verify(signature, original, world.root_pem(), world.clock.now())
    assert checked.returncode == 0 and "Verification successful" in checked.stderr, checked.stderr
    original.write_bytes(content + b"x")
    changed = openssl_cms_verify(signature, original, world.root_pem(), world.clock.now())
    assert changed.returncode != 0

    # the history tells it, newest first, and keeps it as a CSV
    p.get_by_role("link", name="Lịch sử").click()
    signed = p.locator("#history-list tbody tr", has_text="Chữ ký số")
    expect(signed).to_contain_text("bienban.txt (CAdES B-T)")
    expect(signed).to_contain_text("Đã ký")
    expect(p.locator("#history-list")).to_contain_text("Ký tài liệu")
    expect(p.locator("#history-list")).to_contain_text("Đã xác nhận")
    expect(p.locator("#history-list")).to_contain_text("-1")  # the signature used
    shot(p, "history")
    p.get_by_label("Nhóm").select_option("quota")
    p.get_by_role("button", name="Xem").click()
    expect(p.locator("#history-list")).not_to_contain_text("Đã xác nhận")
    expect(p.locator("#history-list")).to_contain_text("Dùng lượt ký")
    with p.expect_download() as download:
        p.get_by_role("button", name="Tải về (CSV)").click()
    kept = tmp_path / "history.csv"
    download.value.save_as(kept)
    text = kept.read_text(encoding="utf-8-sig")
    assert text.startswith("Thời gian (GMT+7),Nhóm,Loại,Kết quả")
    assert "Dùng lượt ký" in text and "Đã xác nhận" not in text  # the filter holds


def test_the_icon_and_the_viewport_of_the_pages_kyso_serves(world: World) -> None:
    icon = httpx.get(f"{world.url}/favicon.ico")
    assert icon.status_code == 200 and icon.headers["content-type"] == "image/x-icon"
    assert icon.content[:4] == b"\x00\x00\x01\x00"
    for path in ("/", "/console", "/dev/inbox"):
        page = httpx.get(world.url + path).text
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page, path


def test_rejecting_a_signature_asks_first(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Lý Thị Mai")
    _login(p, world, customer)
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "ghichu.txt", "mimeType": "text/plain", "buffer": b"ghi chu " * 10})
    form.get_by_role("button", name="Tải lên và ký").click()
    flow = p.locator("#sign-flow")
    expect(flow.locator("dd").first).to_have_text("Ký tài liệu")  # the kind, in words
    flow.get_by_role("button", name="Từ chối – không phải tôi").click()
    question = flow.get_by_role("alertdialog")
    expect(question).to_contain_text("Từ chối giao dịch này?")
    shot(p, "sign-reject-ask")
    question.get_by_role("button", name="Không").click()
    [still] = customer.get("/transactions").json()
    assert still["status"] == "pending"
    flow.get_by_role("button", name="Từ chối – không phải tôi").click()
    flow.get_by_role("button", name="Có, từ chối").click()
    expect(flow).to_contain_text("Giao dịch đã bị từ chối.")
    assert customer.get("/transactions").json() == []


def test_out_of_signatures_is_said_before_the_upload(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Trịnh Văn Hết", signatures=0)
    _login(p, world, customer)
    expect(p.locator("#balance")).to_contain_text("Lượt ký khả dụng: 0")
    expect(p.locator("#balance").get_by_role("alert")).to_contain_text("Quý khách đã hết lượt ký")
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "hopdong.pdf", "mimeType": "application/pdf", "buffer": sample_pdf()})
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(form.get_by_role("alert")).to_have_text(
        "Chứng thư số đã hết lượt ký. Vui lòng mua thêm gói lượt ký.")
    shot(p, "sign-out-of-signatures")
    assert customer.get("/transactions").json() == []


def test_several_pdfs_signed_with_one_approval(page: Watched, world: World,
                                               tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Cao Thị Nhiều", signatures=5)
    _login(p, world, customer)
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files([
        {"name": f"phuluc-{n}.pdf", "mimeType": "application/pdf",
         "buffer": sample_pdf(f"Phu luc {n}")} for n in (1, 2)])
    form.get_by_role("button", name="Tải lên và ký").click()
    flow = p.locator("#sign-flow")
    expect(flow).to_contain_text("Xác nhận ký 2 tài liệu bằng một mã OTP")
    expect(flow.locator("dd").first).to_have_text("Ký nhiều tài liệu")
    shot(p, "sign-batch-confirm")
    [tx] = customer.get("/transactions").json()
    assert customer.device is not None
    flow.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    flow.get_by_role("button", name="Xác nhận").click()
    expect(flow).to_contain_text("Đã ký 2 tài liệu.")
    for n in (1, 2):
        with p.expect_download() as download:
            flow.get_by_role("button", name=f"Tải phuluc-{n}-signed.pdf").click()
        signed = tmp_path / f"{n}.pdf"
        download.value.save_as(signed)
        [verdict] = pdfsig(world.nss_db(), signed)
        assert verdict["Signature Validation"] == "Signature is Valid.", verdict
    shot(p, "sign-batch-done")


def test_a_stamp_dragged_on_a_turned_page_lands_where_it_was_dropped(
        page: Watched, world: World, tmp_path: Path) -> None:
    """A page with /Rotate 90 is previewed as shown (landscape); the box dragged there is
    where PDFium draws the signed stamp on that page, upright."""
    from PIL import ImageChops

    from tests.integration.documents.pdfs import rotated_pdf
    from tests.integration.documents.test_placement import shown_ink

    p, customer = page.page, world.customer("Võ Thị Xoay")
    _login(p, world, customer)
    pdf = rotated_pdf(90)
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "ngang.pdf", "mimeType": "application/pdf", "buffer": pdf})
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(p.locator("#page-img")).to_have_js_property("complete", True)
    drag(p, "#stamp-box", -60, -90)
    frame, stamp = p.locator("#page-frame").bounding_box(), p.locator("#stamp-box").bounding_box()
    assert frame is not None and stamp is not None
    assert frame["width"] > frame["height"]  # landscape, as the page is shown
    x, y, w, h = frame["x"], frame["y"], frame["width"], frame["height"]
    dropped = ((stamp["x"] - x) / w, (stamp["y"] - y) / h,
               (stamp["x"] + stamp["width"] - x) / w, (stamp["y"] + stamp["height"] - y) / h)
    shot(p, "sign-turned-page-place")
    p.locator("#sign-flow").get_by_role("button", name="Gửi ký").click()
    expect(p.locator("#sign-flow")).to_contain_text("ở trang 1")  # the transaction is made
    _confirm(p, customer)
    with p.expect_download() as download:
        p.locator("#sign-flow").get_by_role("button", name="Tải tài liệu đã ký").click()
    signed = tmp_path / "ngang-signed.pdf"
    download.value.save_as(signed)
    [verdict] = pdfsig(world.nss_db(), signed)
    assert verdict["Signature Validation"] == "Signature is Valid.", verdict
    added = ImageChops.logical_xor(shown_ink(pdf), shown_ink(signed.read_bytes()))
    ink = added.getbbox()
    assert ink is not None
    drawn = (ink[0] / added.width, ink[1] / added.height, ink[2] / added.width,
             ink[3] / added.height)
    assert all(abs(a - b) < 0.01 for a, b in zip(drawn, dropped, strict=True)), (drawn, dropped)
