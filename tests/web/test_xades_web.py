"""An XML e-invoice signed in Chromium on a phone: the invoice's main fields previewed (no PDF
page), XAdES B-LTA after the SmartOTP code, the download checked by ``xmlsec1 --verify``; a
hostile XML refused with a Vietnamese sentence."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from tests.integration.documents.conftest import World
from tests.integration.documents.xml_oracles import INVOICE, needs_xmlsec1, xmlsec1_verify
from tests.web.conftest import Watched, shot
from tests.web.test_signing_web import _confirm, _login

SLOW = 30_000  # ms: an uploaded XML is read in the sandbox, whose first child starts slowly
# on a busy machine
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE HDon [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><HDon>&xxe;</HDon>"""


@needs_xmlsec1
def test_sign_an_e_invoice_in_the_web(page: Watched, world: World, tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Vũ Thị Lan")
    _login(p, world, customer)
    form = p.locator("#sign-form")
    expect(form).to_contain_text("Tệp XML (hóa đơn điện tử, tờ khai thuế) được ký XAdES")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "hoadon-K26TAA-123.xml", "mimeType": "text/xml",
         "buffer": INVOICE.read_bytes()})
    expect(form).to_contain_text("B-B, B-T, B-LT hoặc B-LTA")
    form.get_by_label("Mức chữ ký").select_option("B-LTA")  # with an archive time stamp
    form.get_by_role("button", name="Tải lên và ký").click()

    preview = p.locator("#xades-preview")
    expect(preview).to_contain_text("HÓA ĐƠN GIÁ TRỊ GIA TĂNG")
    expect(preview).to_contain_text("1K26TAA")
    expect(preview).to_contain_text("03/12/2026")
    expect(preview).to_contain_text("CÔNG TY CỔ PHẦN CÔNG NGHỆ KÝ SỐ HÀ NỘI")
    expect(preview).to_contain_text("CÔNG TY TNHH THƯƠNG MẠI ĐÀ NẴNG XANH")
    expect(preview).to_contain_text("3.850.000")
    expect(preview).to_contain_text("Dịch vụ chứng thư số ký từ xa")
    expect(p.locator("#sign-flow img, #sign-flow canvas")).to_have_count(0)  # no PDF page
    shot(p, "xades-preview")
    preview.get_by_role("button", name="Gửi ký tài liệu XML").click()
    expect(p.locator("#sign-flow")).to_contain_text("XAdES B-LTA", timeout=SLOW)
    _confirm(p, customer)
    with p.expect_download() as download:
        p.get_by_role("button", name="Tải tệp XML đã ký").first.click()
    assert download.value.suggested_filename == "hoadon-K26TAA-123-signed.xml"
    signed = tmp_path / "signed.xml"
    download.value.save_as(signed)
    shot(p, "xades-signed")
    done = xmlsec1_verify(signed, world.root_pem(), world.clock.now())
    assert done.returncode == 0 and "References (ok/all): 3/3" in done.stderr, done.stderr

    # kyso's own check of the signed invoice, as a counterparty would run it
    check = p.locator("#validate-form")
    check.get_by_label("Tệp đã ký (PDF hoặc XML)").set_input_files(str(signed))
    check.get_by_role("button", name="Kiểm tra").click()
    expect(p.locator("#report-verdict")).to_have_text("Tất cả chữ ký hợp lệ.", timeout=SLOW)
    expect(p.locator("#report")).to_contain_text(
        "B-LTA: như B-LT, thêm dấu thời gian lưu trữ bảo vệ chữ ký cùng mọi dữ liệu kiểm tra")
    expect(p.locator("#report")).to_contain_text("Vũ Thị Lan")
    shot(p, "xades-validated")


def test_a_hostile_xml_is_refused_in_words(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Hồ Văn Nam")
    _login(p, world, customer)
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "xxe.xml", "mimeType": "text/xml", "buffer": XXE})
    form.get_by_role("button", name="Tải lên và ký").click()
    preview = p.locator("#xades-preview")
    expect(preview).to_contain_text("Nội dung tệp XML")  # shown as text, never parsed
    preview.get_by_role("button", name="Gửi ký tài liệu XML").click()
    expect(preview.get_by_role("alert")).to_contain_text("khai báo DTD", timeout=SLOW)
    shot(p, "xades-refused")
    assert customer.get("/transactions").json() == []
