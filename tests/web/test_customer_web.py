"""The customer web app in Chromium: login, home, a transaction confirmed with the code the
token makes, a PDF signed and downloaded (and checked by pdfsig), a pack bought through the
sandbox, logout and an expired session; security headers; no console error anywhere."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import pdfsig
from tests.integration.documents.pdfs import sample_pdf
from tests.web.conftest import Watched, log_in, nav_to, session_token


def username(world: World, customer: Customer) -> str:
    account = world.container.accounts.get(customer.account_id)
    return account.username


def pending(customer: Customer) -> list[dict[str, str]]:
    r = customer.get("/transactions")
    assert r.status_code == 200, r.text
    return list(r.json())


def test_pages_carry_a_strict_policy_and_the_old_pages_still_answer(world: World) -> None:
    for path in ("/", "/console", "/static/js/app.js", "/static/css/kyso.css"):
        r = httpx.get(world.url + path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
        head = httpx.head(world.url + path)  # monitors and curl -I ask by HEAD
        assert head.status_code == 200 and head.headers["content-security-policy"] == csp
    assert httpx.get(world.url + "/static/../config.py").status_code == 404
    assert httpx.get(world.url + "/static/js/missing.js").status_code == 404
    for path in ("/docs", "/dev/inbox", "/healthz", "/pki/ca/root.cer"):
        assert httpx.get(world.url + path).status_code == 200, path


def test_the_customer_app_sends_no_one_to_the_developers_pages(world: World) -> None:
    # the API reference is for relying parties' developers; the console keeps its link
    assert 'href="/docs"' not in httpx.get(world.url + "/").text
    assert 'href="/docs"' in httpx.get(world.url + "/console").text


def test_login_home_confirm_a_transaction_and_log_out(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer()
    p.goto("/")
    p.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(username(world, customer))
    p.get_by_label("Mật khẩu", exact=True).fill("sai-mat-khau")
    p.get_by_role("button", name="Đăng nhập").click()
    expect(p.get_by_role("alert")).to_contain_text("không đúng")
    assert session_token(p) is None
    log_in(p, username(world, customer), PASSWORD)
    expect(p.locator("#otp-status")).to_have_text("Đang hoạt động")
    expect(p.locator(".available")).to_have_text("1000")
    # a contact change waits; the page shows every detail and takes the token's code
    tx = world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                           json={"phone": "0987654321"}).json()
    p.get_by_role("link", name="Trang chủ").click()
    p.get_by_role("link", name="Quý khách có 1 giao dịch chờ xác nhận.").click()
    card = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(card).to_contain_text("Thay đổi thông tin liên hệ")
    expect(card).to_contain_text("Số điện thoại mới+84987654321")
    expect(card).not_to_contain_text(tx["question"])  # nobody sees a hex challenge
    card.get_by_label("Mã OTP").fill("000000")
    card.get_by_role("button", name="Xác nhận").click()
    expect(card.get_by_role("alert")).to_have_text("Mã OTP không đúng. Còn 4 lần thử.")
    assert customer.device is not None
    card.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    card.get_by_role("button", name="Xác nhận").click()
    expect(card.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    assert customer.get("/me").json()["phone"] == "+84987654321"
    assert pending(customer) == []
    # English on request, then log out: the session is gone from the browser and the server
    p.get_by_role("button", name="English").click()
    expect(p.get_by_role("button", name="Log out")).to_be_visible()
    p.get_by_role("button", name="Tiếng Việt").click()
    token = json.loads(session_token(p))["token"]
    p.get_by_role("button", name="Đăng xuất").click()
    expect(p.get_by_role("status")).to_have_text("Quý khách đã đăng xuất.")
    assert session_token(p) is None
    gone = world.client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401


def test_change_password_then_an_expired_session_goes_back_to_the_login(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer(smartotp=False, signatures=0)
    log_in(p, username(world, customer), PASSWORD)
    p.get_by_role("link", name="Tài khoản").click()
    p.get_by_label("Mật khẩu hiện tại").fill(PASSWORD)
    p.get_by_label("Mật khẩu mới", exact=True).fill("short")
    p.get_by_label("Nhập lại mật khẩu mới").fill("short")
    p.get_by_role("button", name="Lưu").click()
    expect(p.get_by_role("alert")).to_be_visible()  # the API's own words on a weak password
    p.get_by_label("Mật khẩu mới", exact=True).fill("MatKhauMoi-2027!")
    p.get_by_label("Nhập lại mật khẩu mới").fill("MatKhauMoi-2027!")
    p.get_by_role("button", name="Lưu").click()
    expect(p.get_by_role("status")).to_have_text("Đã đổi mật khẩu.")
    assert world.client.post("/api/v1/auth/login", json={
        "login": username(world, customer), "password": "MatKhauMoi-2027!"}).status_code == 200
    token = json.loads(session_token(p))["token"]
    [mine] = [s for s in world.client.get("/api/v1/me/sessions", headers={
        "Authorization": f"Bearer {token}"}).json() if s["current"]]
    # the password change ended the customer's other sessions; this one ends from elsewhere
    gone = world.client.delete(f"/api/v1/me/sessions/{mine['id']}",
                               headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 204
    p.get_by_role("link", name="Trang chủ").click()
    expect(p.get_by_role("status")).to_contain_text("Phiên đăng nhập đã hết hạn")
    assert session_token(p) is None


def test_sign_a_pdf_download_it_and_check_it(page: Watched, world: World,
                                             tmp_path: Path) -> None:
    p, customer = page.page, world.customer("Trần Thị Bình")
    log_in(p, username(world, customer), PASSWORD)
    p.get_by_role("link", name="Ký tài liệu").click()
    form = p.locator("#sign-form")
    expect(p.locator("#balance .available")).to_have_text("1000")
    # wrong type and too large, said clearly before or by the server
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "ghichu.txt", "mimeType": "text/plain", "buffer": b"hello"})
    form.get_by_label("Mức chữ ký").select_option("B-LT")
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(form.get_by_role("alert")).to_contain_text("chỉ ở mức B-B hoặc B-T")
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "lon.pdf", "mimeType": "application/pdf", "buffer": b"%PDF" + bytes(300_000)})
    form.get_by_role("button", name="Tải lên và ký").click()
    expect(form.get_by_role("alert")).to_contain_text("lớn hơn mức cho phép (tối đa 256 KB)")
    # the real one, with a visible stamp where kyso proposes it
    form.get_by_label("Tệp cần ký").set_input_files(
        {"name": "hopdong.pdf", "mimeType": "application/pdf", "buffer": sample_pdf()})
    form.get_by_label("Mức chữ ký").select_option("B-T")
    form.get_by_role("button", name="Tải lên và ký").click()
    flow = p.locator("#sign-flow")
    expect(flow).to_contain_text("hopdong.pdf")
    expect(flow.get_by_label("Hiển thị dấu chữ ký trên trang")).to_be_checked()
    flow.get_by_label("Lý do ký").fill("Đồng ý nội dung hợp đồng")
    flow.get_by_role("button", name="Gửi ký").click()
    expect(flow.get_by_label("Mã OTP")).to_be_visible()
    [tx] = pending(customer)
    assert customer.device is not None
    flow.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    flow.get_by_role("button", name="Xác nhận").click()
    expect(flow).to_contain_text("Tài liệu đã được ký.")
    with p.expect_download() as download:
        flow.get_by_role("button", name="Tải tài liệu đã ký").click()
    signed = tmp_path / "signed.pdf"
    download.value.save_as(signed)
    [signature] = pdfsig(world.nss_db(), signed)
    assert signature["Signature Validation"] == "Signature is Valid.", signature
    assert "Trần Thị Bình" in signature["Signer Certificate Common Name"]
    # and the page's own validator says so
    check = p.locator("#validate-form")
    check.get_by_label("Tệp đã ký (PDF hoặc XML)").set_input_files(str(signed))
    check.get_by_role("button", name="Kiểm tra").click()
    expect(check.locator("#report-verdict")).to_have_text("Tất cả chữ ký hợp lệ.")
    expect(check).to_contain_text("Trần Thị Bình")
    for shown in ("Mức chữ kýB-T", "Toàn vẹnNguyên vẹn", "Thu hồiChưa bị thu hồi",
                  "Phạm viToàn bộ tệp"):
        expect(check).to_contain_text(shown)
    expect(check.locator("dd").nth(6)).not_to_have_text("—")  # the signature time stamp


def test_buy_a_pack_through_the_sandbox(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer(smartotp=False, signatures=0)
    log_in(p, username(world, customer), PASSWORD)
    p.get_by_role("link", name="Mua gói dịch vụ").click()
    pack = p.locator('form.product[data-code="pack-10"]')
    expect(pack).to_contain_text("₫")
    pack.get_by_role("button", name="Mua").click()
    p.wait_for_url(re.compile(r".*/sandbox/.*"))
    p.get_by_role("button", name="Thanh toán thành công").click()
    expect(p.get_by_text("Thanh toán thành công.")).to_be_visible()
    p.locator("#back-to-orders").click()
    expect(p.locator(".order-status").first).to_have_text("Đã hoàn tất")
    p.get_by_role("link", name="Trang chủ").click()
    expect(p.locator(".available")).to_have_text("10")


def test_let_a_relying_party_in_and_confirm_its_signing_request(page: Watched,
                                                                world: World) -> None:
    p, customer = page.page, world.customer("Lê Văn Cường")
    party = world.container.relying_parties.create("Cổng Dịch vụ công Quốc gia", actor="test")
    log_in(p, username(world, customer), PASSWORD)
    p.get_by_role("link", name="Bên tin cậy").click()
    card = p.locator(f'li.party[data-sp="{party.party.sp_id}"]')
    expect(card).to_contain_text("Chưa cho phép")
    card.get_by_label("PIN tài khoản").fill("975310")  # a wrong PIN: refused, still logged in
    card.get_by_role("button", name="Cho phép").click()
    expect(card.get_by_role("alert")).to_contain_text("PIN")
    expect(card).to_contain_text("Chưa cho phép")
    card.get_by_label("PIN tài khoản").fill(PIN)
    card.get_by_role("button", name="Cho phép").click()
    expect(card).to_contain_text("Đã cho phép từ")
    id_number = world.container.accounts.get(customer.account_id).id_number
    contents = [b"to khai 1", b"to khai 2"]
    request = {"sp_id": party.party.sp_id, "sp_password": party.sp_password,
               "user_id": id_number, "transaction_id": "SP_web_0001",
               "transaction_desc": "Nộp hồ sơ cấp đổi giấy phép lái xe",
               "sign_files": [{"data_to_be_signed": hashlib.sha256(c).hexdigest(),
                               "doc_id": f"HS-{n:03d}", "file_type": "pdf", "sign_type": "hash"}
                              for n, c in enumerate(contents, 1)]}
    asked = httpx.post(f"{world.url}/sca/sp769/v1/signatures/sign", json=request, timeout=30)
    assert asked.status_code == 200, asked.text
    nav_to(p, "Giao dịch chờ xác nhận")
    [tx] = pending(customer)
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(box.get_by_role("heading", level=2)).to_have_text("Yêu cầu ký từ bên tin cậy")
    expect(box).to_contain_text("Nộp hồ sơ cấp đổi giấy phép lái xe")
    expect(box).to_contain_text("Cổng Dịch vụ công Quốc gia")
    expect(box.locator(".doc-ids li")).to_have_text(["HS-001", "HS-002"])
    assert customer.device is not None
    box.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    box.get_by_role("button", name="Xác nhận").click()
    expect(box.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    # disallowing it again takes it back out
    p.get_by_role("link", name="Bên tin cậy").click()
    card.get_by_role("button", name="Thu hồi").click()
    expect(card).to_contain_text("Chưa cho phép")
    assert customer.get("/consents").json() == []
