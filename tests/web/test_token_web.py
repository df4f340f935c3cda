"""The SmartOTP token in the browser, on a phone: Đăng ký SmartOTP, a code with the network off
that the server accepts, transactions approved with the code computed and filled in, the
methods, the PIN change and reset, time sync with a skewed clock, and nothing secret at rest."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Browser, Page, Route, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from kyso.otp.oath import b32decode_seed, totp
from kyso.otp.ocra import ocra
from tests.integration.api.conftest import PASSWORD, PIN
from tests.integration.api.smartotp_helpers import activation_code, sms_code
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.pdfs import sample_pdf
from tests.web.conftest import PHONE, Watched, deliver, log_in, nav_to, shot, until
from tests.web.test_customer_web import pending, username

TOKEN_PIN = "918273"
DUMP = (Path(__file__).parent / "storage_dump.js").read_text(encoding="utf-8")


def now(world: World) -> float:
    return world.clock.now().timestamp()


def is_synced_code(code: str, seed: bytes, world: World) -> bool:
    """Whether ``code`` is the token's for the server's time: the browser's token clock runs
    on in real time from its last sync with the server, whose test clock stands still, so a
    code shown a few seconds later may already be the next step's."""
    return code in {totp(seed, now(world) + k * 30, step=30, digits=6, algorithm="sha256")
                    for k in (0, 1)}


def open_smartotp(p: Page) -> None:
    p.get_by_role("link", name="SmartOTP", exact=True).first.click()
    expect(p.get_by_role("heading", name="SmartOTP", level=1)).to_be_visible()


def register_in_browser(p: Page, world: World, customer: Customer, shots: bool = False,
                        start: str = "Đăng ký SmartOTP") -> bytes:
    """Đăng ký SmartOTP through the screens; returns the seed the server handed over."""
    open_smartotp(p)
    p.get_by_role("button", name=start).click()
    expect(p.get_by_role("heading", name="Điều khoản sử dụng SmartOTP")).to_be_visible()
    if shots:
        shot(p, "token-register-1-terms")
    p.get_by_role("button", name="Tiếp tục").click()
    expect(p.get_by_role("alert")).to_have_text("Vui lòng đồng ý với điều khoản để tiếp tục.")
    p.get_by_label("Tôi đã đọc và đồng ý").check()
    p.get_by_role("button", name="Tiếp tục").click()
    if shots:  # a wrong account PIN is said before any SMS goes out
        p.get_by_label("Mã PIN tài khoản").fill("975310")
        p.get_by_role("button", name="Gửi mã OTP qua SMS").click()
        expect(p.get_by_role("alert")).to_contain_text("Mã PIN tài khoản không đúng")
        assert not sent(world, customer, "SMARTOTP_REGISTER")
        shot(p, "token-register-2-account-pin")
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Gửi mã OTP qua SMS").click()
    sms = p.get_by_label("Mã OTP (SMS)")
    sms.wait_for()  # the code is sent: read it only now
    sms.fill(sms_code(world.container, customer.account_id, "SMARTOTP_REGISTER"))
    if shots:
        shot(p, "token-register-3-sms")
    p.get_by_role("button", name="Tiếp tục").click()
    activation = p.get_by_label("Mã kích hoạt")
    activation.wait_for()  # registered: the activation code has gone out
    activation.fill(activation_code(world.container, customer.account_id))
    if shots:  # a trivial SmartOTP PIN is refused in the browser, with the rule said
        p.get_by_label("PIN SmartOTP mới", exact=True).fill("123456")
        p.get_by_label("Nhập lại PIN SmartOTP mới").fill("123456")
        p.get_by_role("button", name="Kích hoạt").click()
        expect(p.get_by_role("alert")).to_contain_text("quá dễ đoán")
        shot(p, "token-register-4-activation")
    p.get_by_label("PIN SmartOTP mới", exact=True).fill(TOKEN_PIN)
    p.get_by_label("Nhập lại PIN SmartOTP mới").fill(TOKEN_PIN)
    with p.expect_response("**/api/v1/smartotp/activate") as activated:
        p.get_by_role("button", name="Kích hoạt").click()
    expect(p.get_by_role("heading", name="Đăng ký SmartOTP thành công")).to_be_visible()
    if shots:
        shot(p, "token-register-5-done")
    p.get_by_role("button", name="Hoàn tất").click()
    expect(p.locator("#token-device")).to_have_text("Thiết bị này")
    return b32decode_seed(activated.value.json()["seed_b32"])


def sent(world: World, customer: Customer, purpose: str) -> bool:
    deliver(world)
    with world.container.uow() as uow:
        return any(m.account_id == customer.account_id and m.purpose == purpose
                   for m in uow.outbox.recent(200))


def verify(customer: Customer, code: str) -> int:
    return customer.world.client.post("/api/v1/smartotp/verify", json={"code": code},
                                      headers=customer.headers).status_code


def test_register_in_the_browser_and_nothing_secret_is_kept_in_clear(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Phạm Thị Dung", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    shot(p, "token-home-before")
    seed = register_in_browser(p, world, customer, shots=True)
    shot(p, "token-page")
    assert customer.get("/smartotp").json()["otp_method"] == "smartotp"
    p.get_by_role("link", name="Trang chủ").click()
    expect(p.locator("#token-device")).to_have_text("Thiết bị này")
    shot(p, "token-home-after")
    dump = p.evaluate(DUMP)
    code = totp(seed, now(world), step=30, digits=6, algorithm="sha256")
    secrets = [seed.hex(), seed.hex().upper(), base64.b32encode(seed).decode().rstrip("="),
               base64.b64encode(seed).decode().rstrip("="),
               base64.urlsafe_b64encode(seed).decode().rstrip("="), TOKEN_PIN, PIN, code]
    assert "sealed" in json.dumps(json.loads(dump)["idb"]["kyso-token/token"])  # it is there...
    assert [s for s in secrets if s in dump] == []  # ...and nothing in clear
    assert json.loads(dump)["local"].keys() <= {"kyso.lang"}


def test_a_code_with_the_network_off_that_the_server_accepts(page: Watched,
                                                              world: World) -> None:
    p, customer = page.page, world.customer("Võ Minh Em", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    p.get_by_role("button", name="Đăng xuất").click()
    expect(p.get_by_role("status")).to_have_text("Quý khách đã đăng xuất.")
    p.context.set_offline(True)
    p.get_by_role("button", name="Lấy mã SmartOTP").click()
    expect(p.get_by_role("heading", name="Mã SmartOTP")).to_be_visible()
    p.get_by_label("PIN SmartOTP").fill(TOKEN_PIN)
    p.get_by_role("button", name="Lấy mã", exact=True).click()
    expect(p.locator("#otp-code")).to_have_text(re.compile(r"^\d{6}$"))
    expect(p.locator("#otp-left")).to_contain_text("giây")
    shot(p, "token-offline-code")
    code = p.locator("#otp-code").text_content() or ""
    p.context.set_offline(False)
    assert is_synced_code(code, seed, world), code
    assert verify(customer, code) == 204


def approve(p: Page, box_id: str, pin: str) -> str:
    box = p.locator(f'article[data-id="{box_id}"]')
    box.get_by_label("PIN SmartOTP").fill(pin)
    box.get_by_role("button", name="Tạo mã OTP").click()
    filled = box.get_by_label("Mã OTP")
    expect(filled).to_have_value(re.compile(r"^\d{8}$"))
    value = filled.input_value()
    box.get_by_role("button", name="Sử dụng mã OTP").click()
    return value


def test_approve_a_contact_change_and_an_sp769_request_with_the_code_filled_in(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Đặng Văn Giang", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    tx = customer.world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                                    json={"phone": "0912345678"}).json()
    nav_to(p, "Giao dịch chờ xác nhận")
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(box).to_contain_text("Số điện thoại mới+84912345678")
    expect(box).not_to_contain_text(tx["question"])  # nobody sees a hex challenge
    shot(p, "token-tx-pin")
    # a wrong PIN makes a well-formed, wrong code: the server refuses it, the PIN is asked again
    wrong = approve(p, tx["id"], "135792")
    expect(box.get_by_role("alert")).to_contain_text("Mã OTP không đúng")
    assert wrong != ocra(tx["ocra_suite"], seed, question=tx["question"])
    shot(p, "token-tx-wrong-pin")
    right = approve(p, tx["id"], TOKEN_PIN)
    expect(box.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    assert right == ocra(tx["ocra_suite"], seed, question=tx["question"])
    assert customer.get("/me").json()["phone"] == "+84912345678"
    # an SP769 request: relying party, description and every doc_id, then PIN → code
    party = world.container.relying_parties.create("Cổng Dịch vụ công tỉnh", actor="test")
    allowed = customer.world.client.put(f"/api/v1/consents/{party.party.sp_id}",
                                        headers=customer.headers, json={"pin": PIN})
    assert allowed.status_code == 200, allowed.text
    id_number = world.container.accounts.get(customer.account_id).id_number
    asked = httpx.post(f"{world.url}/sca/sp769/v1/signatures/sign", timeout=30, json={
        "sp_id": party.party.sp_id, "sp_password": party.sp_password, "user_id": id_number,
        "transaction_id": "SP_token_0001", "transaction_desc": "Nộp tờ khai thuế quý 4",
        "sign_files": [{"data_to_be_signed": hashlib.sha256(b"tk").hexdigest(), "doc_id": "TK-01",
                        "file_type": "pdf", "sign_type": "hash"}]})
    assert asked.status_code == 200, asked.text
    p.get_by_role("button", name="Làm mới").click()
    [sp] = pending(customer)
    box = p.locator(f'article[data-id="{sp["id"]}"]')
    expect(box).to_contain_text("Nộp tờ khai thuế quý 4")
    expect(box).to_contain_text("Cổng Dịch vụ công tỉnh")
    expect(box.locator(".doc-ids li")).to_have_text(["TK-01"])
    shot(p, "token-sp769")
    approve(p, sp["id"], TOKEN_PIN)
    expect(box.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    assert pending(customer) == []


def test_a_changed_detail_is_refused_before_any_code_is_made(page: Watched,
                                                             world: World) -> None:
    p, customer = page.page, world.customer("Bùi Thị Hoa", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    register_in_browser(p, world, customer)
    tx = customer.world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                                    json={"phone": "0912345679"}).json()

    def forge(route: Any) -> None:  # a tampered answer: what is shown is not what is bound
        body = route.fetch().json()
        for item in body:
            item["details"]["phone"] = "+84999999999"
        route.fulfill(json=body)

    p.route("**/api/v1/transactions", forge)
    nav_to(p, "Giao dịch chờ xác nhận")
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(box.get_by_role("alert")).to_contain_text("không khớp")
    expect(box.get_by_label("PIN SmartOTP")).to_have_count(0)
    shot(p, "token-tx-mismatch")


def test_methods_pin_change_and_forgotten_pin(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Hồ Văn Khoa", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    # SmartOTP → SMS with the account PIN, and back
    p.get_by_role("button", name="Thay đổi phương thức nhận OTP").click()
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    shot(p, "token-method")
    p.get_by_role("button", name="Chuyển sang SMS OTP").click()
    expect(p.locator("#otp-method")).to_have_text("SMS OTP")
    expect(p.locator("#token-notice")).to_contain_text("Đã chuyển phương thức")
    assert customer.get("/smartotp").json()["otp_method"] == "sms"
    p.get_by_role("button", name="Thay đổi phương thức nhận OTP").click()
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Chuyển sang SmartOTP").click()
    expect(p.locator("#otp-method")).to_have_text("SmartOTP")
    # PIN change: a wrong old PIN is refused by the server (online proof), the right one works
    p.get_by_role("button", name="Thay đổi PIN SmartOTP").click()
    p.get_by_label("PIN SmartOTP hiện tại").fill("135792")
    p.get_by_label("PIN SmartOTP mới", exact=True).fill("246813")
    p.get_by_label("Nhập lại PIN SmartOTP mới").fill("246813")
    p.get_by_role("button", name="Thay đổi PIN SmartOTP").last.click()
    expect(p.get_by_role("alert")).to_contain_text("PIN SmartOTP hiện tại không đúng")
    shot(p, "token-pin-change")
    # that attempt's challenge ended with it: nothing waits in "Giao dịch chờ xác nhận"
    assert [tx["kind"] for tx in customer.get("/transactions").json()] == []
    p.get_by_label("PIN SmartOTP hiện tại").fill(TOKEN_PIN)
    p.get_by_role("button", name="Thay đổi PIN SmartOTP").last.click()
    expect(p.locator("#token-flow").get_by_role("status")).to_have_text("Đã đổi PIN SmartOTP.")
    # "Hoàn tất" draws the page again once the server has answered: meanwhile the old page
    # takes no tap (a tap there opened a flow on the page being replaced: nothing happened)
    held: list[Route] = []
    p.route("**/api/v1/smartotp", lambda route: held.append(route))
    p.get_by_role("button", name="Hoàn tất").click()
    with pytest.raises(PlaywrightTimeout):
        p.get_by_role("button", name="Lấy mã OTP").click(timeout=1500)
    expect(p.locator("#main .page")).to_have_attribute("aria-busy", "true")
    shot(p, "token-redrawing")
    for route in held:
        route.continue_()
    p.unroute("**/api/v1/smartotp")
    expect(p.get_by_role("button", name="Hoàn tất")).to_have_count(0)
    expect(p.locator("#main .page")).not_to_have_attribute("aria-busy", "true")
    p.get_by_role("button", name="Lấy mã OTP").click()
    p.get_by_label("PIN SmartOTP").fill("246813")
    p.get_by_role("button", name="Lấy mã", exact=True).click()
    expect(p.locator("#otp-code")).to_have_text(re.compile(r"^\d{6}$"))
    shot(p, "token-get-code")
    code = p.locator("#otp-code").text_content() or ""
    assert is_synced_code(code, seed, world), code
    assert verify(customer, code) == 204
    # forgotten PIN: account PIN + SMS code, the token is revoked and wiped here
    p.get_by_role("button", name="Quên PIN SmartOTP").click()
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    p.get_by_role("button", name="Gửi mã OTP qua SMS").click()
    sms = p.get_by_label("Mã OTP (SMS)")
    sms.wait_for()
    sms.fill(sms_code(world.container, customer.account_id, "PIN_RESET"))
    p.get_by_role("button", name="Tiếp tục").click()
    expect(p.get_by_role("heading", name="Đã hủy SmartOTP")).to_be_visible()
    shot(p, "token-forgot-pin")
    assert customer.get("/smartotp").json()["status"] == "none"
    p.get_by_role("button", name="Để sau").click()
    expect(p.get_by_role("button", name="Đăng ký SmartOTP")).to_be_visible()
    # with no SmartOTP left, no switch to it is offered (only a refusal could follow)
    expect(p.get_by_role("button", name="Thay đổi phương thức nhận OTP")).to_have_count(0)
    assert "sealed" not in json.dumps(json.loads(p.evaluate(DUMP))["idb"])
    # a temporary self-lock of a method, with the account PIN
    p.get_by_role("button", name="Tạm khóa phương thức").click()
    p.get_by_label("Phương thức cần khóa").select_option("smartotp")
    p.get_by_label("Mã PIN tài khoản").fill(PIN)
    shot(p, "token-self-lock")
    p.get_by_role("button", name="Tạm khóa", exact=True).click()
    expect(p.locator("#token-notice")).to_have_text("Đã tạm khóa SmartOTP.")
    expect(p.locator('li[data-method="smartotp"]')).to_contain_text("Đã khóa")
    assert customer.get("/smartotp").json()["methods"]["smartotp"]["locked"] is True


def test_time_sync_with_a_clock_five_minutes_fast(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Lý Thị Lan", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    world.clock.advance(60)  # a fresh step for this test's code
    # the phone's clock runs five minutes fast
    p.clock.set_fixed_time(world.clock.now() + timedelta(seconds=300))
    p.get_by_role("button", name="Đồng bộ thời gian").click()
    flow = p.locator("#token-flow")
    expect(flow.get_by_role("status")).to_contain_text("Thiết bị nhanh 5 phút so với")
    shot(p, "token-sync")
    p.get_by_role("button", name="Lấy mã OTP").click()
    p.get_by_label("PIN SmartOTP").fill(TOKEN_PIN)
    p.get_by_role("button", name="Lấy mã", exact=True).click()
    expect(p.locator("#otp-code")).to_have_text(re.compile(r"^\d{6}$"))
    code = p.locator("#otp-code").text_content() or ""
    assert is_synced_code(code, seed, world), code
    assert verify(customer, code) == 204


def sp769(world: World, customer: Customer, party: Any, n: int, desc: str) -> None:
    id_number = world.container.accounts.get(customer.account_id).id_number
    asked = httpx.post(f"{world.url}/sca/sp769/v1/signatures/sign", timeout=30, json={
        "sp_id": party.party.sp_id, "sp_password": party.sp_password, "user_id": id_number,
        "transaction_id": f"SP_live_{customer.account_id[:8]}_{n}", "transaction_desc": desc,
        "sign_files": [{"data_to_be_signed": hashlib.sha256(desc.encode()).hexdigest(),
                        "doc_id": f"HS-{n}", "file_type": "pdf", "sign_type": "hash"}]})
    assert asked.status_code == 200, asked.text


def test_a_live_request_arrives_in_the_open_app_and_is_approved_or_rejected(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Mai Thị Oanh", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    party = world.container.relying_parties.create("Cổng thông tin Bảo hiểm xã hội", actor="test")
    allowed = customer.world.client.put(f"/api/v1/consents/{party.party.sp_id}",
                                        headers=customer.headers, json={"pin": PIN})
    assert allowed.status_code == 200, allowed.text
    p.get_by_role("link", name="Trang chủ").click()
    expect(p.locator("#token-device")).to_have_text("Thiết bị này")
    until(p, "document.documentElement.dataset.live === 'open'")  # stream is up
    sp769(world, customer, party, 1, "Ký tờ khai BHXH tháng 11")
    notice = p.locator("#live-notice")  # within 2 s, without a reload
    expect(notice).to_contain_text("Ký tờ khai BHXH tháng 11", timeout=2_000)
    expect(p.locator("#top .live-badge")).to_have_text("1")
    shot(p, "live-notice")
    notice.get_by_role("link", name="Xem và xác nhận").click()
    [tx] = pending(customer)
    approve(p, tx["id"], TOKEN_PIN)
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(box.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    assert seed and tx["kind"] == "sp769_sign"
    expect(p.locator("#top .live-badge")).to_have_count(0)
    # on the open transactions page a second request appears as a card; "không phải tôi"
    sp769(world, customer, party, 2, "Ký hồ sơ hưởng trợ cấp")
    [second] = pending(customer)
    card = p.locator(f'article[data-id="{second["id"]}"]')
    expect(card).to_contain_text("Ký hồ sơ hưởng trợ cấp", timeout=2_000)
    shot(p, "live-card")
    card.get_by_role("button", name="Từ chối – không phải tôi").click()
    card.get_by_role("button", name="Có, từ chối").click()  # it asks first
    expect(card.get_by_role("status")).to_have_text("Giao dịch đã bị từ chối.")
    with world.container.uow() as uow:
        rejected = [r.event for r in uow.audit.records()
                    if r.event.action == "transaction.rejected"
                    and r.event.details.get("transaction") == second["id"]]
    assert [e.actor for e in rejected] == [customer.account_id]


def test_the_event_stream_needs_a_session_and_says_each_change(world: World) -> None:
    customer = world.customer("Tạ Văn Phúc")
    assert httpx.get(f"{world.url}/api/v1/events").status_code == 401
    headers = {"Authorization": customer.headers["Authorization"]}
    with httpx.stream("GET", f"{world.url}/api/v1/events", headers=headers, timeout=30) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        lines = r.iter_lines()
        assert next(lines) == "event: pending"
        assert json.loads(next(lines).removeprefix("data: ")) == {"count": 0, "items": []}
        tx = customer.world.client.post("/api/v1/me/contact-change", headers=customer.headers,
                                        json={"phone": "0912345670"}).json()
        event = next(line for line in lines if line.startswith("data: "))
        body = json.loads(event.removeprefix("data: "))
        assert body["count"] == 1 and body["items"][0]["id"] == tx["id"]
        assert body["items"][0]["details"]["phone"] == "+84912345670"


def test_a_document_signing_started_elsewhere_is_approved_with_the_code_filled_in(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Cao Thị Quỳnh", smartotp=False)
    log_in(p, username(world, customer), PASSWORD)
    seed = register_in_browser(p, world, customer)
    uploaded = customer.upload(sample_pdf("Bien ban ban giao"), reason="Đồng ý bàn giao")
    assert uploaded.status_code == 201, uploaded.text
    tx = uploaded.json()["transaction"]
    nav_to(p, "Giao dịch chờ xác nhận")
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(box.get_by_role("heading", level=2)).to_have_text("Ký tài liệu")
    expect(box).not_to_contain_text(tx["question"])
    shot(p, "token-sign-document")
    code = approve(p, tx["id"], TOKEN_PIN)
    expect(box.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    assert code == ocra(tx["ocra_suite"], seed, question=tx["question"])
    signed = customer.get(f"/documents/{uploaded.json()['id']}/download")
    assert signed.status_code == 200 and signed.content.startswith(b"%PDF")


def test_registering_on_a_new_phone_revokes_the_old_one_and_both_are_told(
        page: Watched, world: World, browser: Browser) -> None:
    old, customer = page.page, world.customer("Kiều Văn Sơn", smartotp=False)
    log_in(old, username(world, customer), PASSWORD)
    register_in_browser(old, world, customer)
    context = browser.new_context(base_url=world.url, locale="vi-VN", **PHONE)
    try:
        new = context.new_page()
        log_in(new, username(world, customer), PASSWORD)
        open_smartotp(new)
        expect(new.locator("#token-device")).to_have_text("Thiết bị khác (Điện thoại của tôi "
                                                          "(trình duyệt))")
        world.clock.advance(61)  # the SMS cool-down of the first registration
        register_in_browser(new, world, customer, start="Chuyển SmartOTP sang thiết bị này")
        expect(new.locator("#token-device")).to_have_text("Thiết bị này")
        shot(new, "token-new-device")
    finally:
        context.close()
    old.get_by_role("link", name="Trang chủ").click()
    expect(old.locator("#token-revoked")).to_contain_text("đã bị thu hồi")
    expect(old.locator(".inbox")).to_contain_text("SmartOTP trên thiết bị cũ đã bị thu hồi")
    shot(old, "token-old-device-told")
    assert "sealed" not in json.dumps(json.loads(old.evaluate(DUMP))["idb"])
