"""Issue 16 items 2 and 3 in Chromium on a phone: a customer signs a contract in the web
app; the counterparty decodes the QR code printed in the stamp (the signed PDF rendered by
poppler, read by zbarimg) and opens it in a fresh browser with no login: the page gives the
verdict in Vietnamese, and checking a copy on the device says "matches" for the signed file
and "does not match" for another. The customer finds the signing receipt in the history and
downloads it; OpenSSL verifies it against kyso's root. Right after signing, the page says the
receipt is being made ("Đang tạo biên nhận ký số…") until kyso's worker has made it."""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path

from playwright.sync_api import Browser, Route, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import World
from tests.integration.documents.pdfs import sample_pdf
from tests.integration.documents.test_verify import needs_zbar, qr_of
from tests.web.conftest import PHONE, Watched, log_in, shot


@needs_zbar
def test_a_counterparty_scans_the_stamp_and_checks_a_copy_without_an_account(
        page: Watched, world: World, browser: Browser, tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Hoàng Văn Nam")
    account = world.container.accounts.get(customer.account_id)
    log_in(p, account.username, PASSWORD)
    p.get_by_role("link", name="Ký tài liệu").click()
    form = p.locator("#sign-form")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "hopdong-thue-nha.pdf", "mimeType": "application/pdf",
         "buffer": sample_pdf("Hop dong thue nha 2026")})
    form.get_by_label("Mức chữ ký").select_option("B-LT")
    form.get_by_role("button", name="Tải lên và ký").click()
    flow = p.locator("#sign-flow")
    flow.get_by_role("button", name="Gửi ký").click()
    expect(flow.get_by_label("Mã OTP")).to_be_visible()  # the transaction exists now
    [tx] = customer.get("/transactions").json()
    assert customer.device is not None
    flow.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    flow.get_by_role("button", name="Xác nhận").click()
    expect(flow).to_contain_text("Tài liệu đã được ký.")
    expect(flow.get_by_role("link", name="Trang xác minh công khai")).to_be_visible()
    # the receipt is made by kyso's worker a moment after the signature (none runs here
    # until the test says so): the page says so, then offers the download by itself
    expect(flow.locator("#receipt-pending")).to_have_text("Đang tạo biên nhận ký số…")
    expect(flow.get_by_role("button", name="Tải biên nhận ký số")).to_have_count(0)
    shot(p, "verify-0-receipt-pending")
    made: list[int] = []  # the worker's pass, in a thread of its own as in kyso's worker
    worker = threading.Thread(target=lambda: made.append(world.container.receipts.make_due()))
    worker.start()
    worker.join(timeout=60)
    assert made == [1]
    expect(flow.get_by_role("button", name="Tải biên nhận ký số")).to_be_visible()
    expect(flow.locator("#receipt-pending")).to_have_count(0)
    # the recent documents below list it now, signed (they were empty when the page opened)
    recent = p.locator("#recent-docs")
    expect(recent).to_contain_text("hopdong-thue-nha.pdf")
    expect(recent.get_by_role("row").filter(has_text="hopdong-thue-nha.pdf")).to_contain_text(
        "Đã ký")
    shot(p, "verify-0-signed")
    with p.expect_download() as download:
        flow.get_by_role("button", name="Tải tài liệu đã ký").click()
    signed = tmp_path / "hopdong-signed.pdf"
    download.value.save_as(signed)

    # the counterparty: the QR code on the printed page, a fresh browser, no account
    [url] = qr_of(signed)
    assert url.startswith(f"{world.url}/v/") and len(url.rsplit("/", 1)[1]) == 12
    context = browser.new_context(locale="vi-VN", **PHONE)
    visitor = Watched(context.new_page())
    v = visitor.page
    v.set_default_timeout(15_000)
    v.goto(url)
    verdict = v.locator("#verify-verdict")
    expect(verdict).to_contain_text("Chữ ký hợp lệ")
    expect(verdict).to_contain_text("Hoàng Văn Nam")
    expect(v.locator("#verify-signer")).to_have_text("Hoàng Văn Nam")
    expect(v.locator("#verify-level")).to_contain_text("B-LT")
    expect(v.locator("#verify-now")).to_have_text("Còn hiệu lực")
    expect(v.locator("#verify-timestamp")).to_contain_text("(GMT+7)")
    expect(v.locator("body")).not_to_contain_text("hopdong-thue-nha")  # no file name
    expect(v.locator("body")).not_to_contain_text(account.username)
    shot(v, "verify-1-page")
    v.locator("#verify-file").set_input_files(str(signed))
    expect(v.locator("#verify-result")).to_have_text(
        "Khớp: tệp này đúng là tệp đã được ký.")
    v.get_by_role("button", name="Kiểm tra đầy đủ trên máy chủ (tải tệp lên)").click()
    expect(v.locator("#verify-full-result")).to_have_text(
        "Máy chủ kiểm tra: tệp khớp và chữ ký hợp lệ (số chữ ký: 1).")
    shot(v, "verify-2-matches")
    other = tmp_path / "hopdong-sua.pdf"
    other.write_bytes(signed.read_bytes() + b"\n%")
    v.locator("#verify-file").set_input_files(str(other))
    expect(v.locator("#verify-result")).to_contain_text("Không khớp")
    shot(v, "verify-3-differs")
    v.get_by_role("link", name="English").click()
    expect(verdict).to_contain_text("Valid signature")
    shot(v, "verify-4-english")
    # a file chosen before the page's script ran (a fast hand, a slow network) is checked
    # all the same once the script arrives: its change event fired with no one listening
    held: list[Route] = []
    v.route("**/static/js/verify.js", lambda route: held.append(route))
    v.goto(url, wait_until="commit")
    v.locator("#verify-file").set_input_files(str(signed))
    for _ in range(300):  # the request for the script, held: up to 15 s
        if held:
            break
        v.wait_for_timeout(50)
    assert held, "the page never asked for its script"
    expect(v.locator("#verify-result")).to_have_text("")
    held[0].continue_()
    expect(v.locator("#verify-result")).to_have_text("Khớp: tệp này đúng là tệp đã được ký.")
    v.unroute("**/static/js/verify.js")
    v.goto(f"{world.url}/v/aaaaaaaaaaaa")
    expect(v.locator("#verify-missing")).to_have_text("Không tìm thấy chữ ký")
    shot(v, "verify-5-missing")
    context.close()
    visitor.assert_clean()

    # the customer: the receipt in the history, downloaded and verified offline
    p.get_by_role("link", name="Lịch sử").click()
    row = p.locator("#history-list tbody tr", has_text="hopdong-thue-nha.pdf")
    expect(row.get_by_role("link", name="Trang xác minh công khai")).to_have_attribute(
        "href", url.removeprefix(world.url))
    with p.expect_download() as download:
        row.get_by_role("button", name="Tải biên nhận ký số").click()
    receipt = tmp_path / "receipt.p7m"
    download.value.save_as(receipt)
    assert download.value.suggested_filename.endswith(".p7m")
    shot(p, "verify-6-history")
    done = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in", str(receipt),
                           "-CAfile", str(world.root_pem()), "-purpose", "any",
                           "-attime", str(int(world.clock.now().timestamp()) + 5),
                           "-out", "/dev/null"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr
