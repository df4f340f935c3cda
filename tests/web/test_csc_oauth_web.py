"""CSC OAuth2 in chromium at a phone viewport: Authlib's OAuth2Client sends the customer's
browser to ``oauth2/authorize``; the customer logs in on kyso's page, reads who asks to sign
what (relying party, number of signatures, the document's hash), approves with the SmartOTP
code, and the browser returns to the service with the code and the state. The client gets a
credential token and signs the PDF with it; pyHanko and pdfsig validate the result. The
relying party's site is stood in for by Playwright (its callback page is answered locally)."""

from __future__ import annotations

import base64
import hashlib
import re
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from playwright.sync_api import Route, expect

from tests.integration.api.conftest import PASSWORD
from tests.integration.csc.oauth_flow import REDIRECT, query, start
from tests.integration.csc.pyhanko_client import small_pdf, validate
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import pdfsig
from tests.web.conftest import Watched, nav_to, shot


def _callback(route: Route) -> None:
    route.fulfill(status=200, content_type="text/html; charset=utf-8",
                  body="<!doctype html><title>Dịch vụ công</title><p>Đã nhận kết quả.</p>")


def _party(world: World, name: str) -> Any:
    issued = world.container.relying_parties.create(name, actor="test")
    world.container.csc_oauth.register_redirect_uri(issued.party.sp_id, REDIRECT, actor="test")
    return issued


def _log_in_here(page: Any, world: World, customer: Customer) -> None:
    login = world.container.accounts.get(customer.account_id).username
    page.get_by_label("Tên đăng nhập, số điện thoại hoặc email").fill(login)
    page.get_by_label("Mật khẩu", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


def test_approve_a_signature_for_a_relying_party_then_it_signs(page: Watched,
                                                               world: World) -> None:
    p, customer = page.page, world.customer("Phạm Thị Dung")
    party = _party(world, "Cổng Dịch vụ công Quốc gia")
    pdf = small_pdf(b"Hop dong vay von so 2026/07")
    digest = hashlib.sha256(pdf).digest()
    flow = start(world.url, party.party.sp_id, "credential",
                 credentialID=customer.credential.id, numSignatures=1,
                 hashes=base64.urlsafe_b64encode(digest).decode().rstrip("="),
                 description="Hợp đồng vay vốn số 2026/07")
    p.route("https://dichvucong.example.vn/**", _callback)
    p.goto(flow.url)
    expect(p.get_by_role("button", name="Đăng nhập")).to_be_visible()
    shot(p, "csc-login")
    _log_in_here(p, world, customer)
    expect(p.get_by_role("heading", level=1)).to_have_text("Ủy quyền cho ứng dụng")
    request = p.locator(".csc-request")
    expect(request).to_contain_text("Cổng Dịch vụ công Quốc gia")
    expect(request).to_contain_text("Hợp đồng vay vốn số 2026/07")
    expect(request).to_contain_text("dichvucong.example.vn")
    expect(p.locator(".csc-hashes li")).to_have_text([base64.b64encode(digest).decode()])
    shot(p, "csc-authorize")
    p.get_by_role("button", name="Đồng ý ký").click()
    box = p.locator("article.tx")
    expect(box.get_by_role("heading", level=2)).to_have_text("Ủy quyền ký số cho ứng dụng")
    expect(box).to_contain_text("Cổng Dịch vụ công Quốc gia")
    expect(box.get_by_label("Mã OTP")).to_be_visible()  # only once the code field shows
    [tx] = [t for t in customer.get("/transactions").json()
            if t["kind"] == "csc_oauth_credential"]
    assert tx["details"]["hashes"] == base64.b64encode(digest).decode()
    box.get_by_label("Mã OTP").fill("000000")  # a wrong code: refused, nothing granted
    box.get_by_role("button", name="Xác nhận").click()
    expect(box.get_by_role("alert")).to_be_visible()
    shot(p, "csc-wrong-code")
    assert customer.device is not None
    box.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    shot(p, "csc-confirm")
    box.get_by_role("button", name="Xác nhận").click()
    expect(p.get_by_text("Đã chấp thuận. Đang quay lại dịch vụ…")).to_be_visible()
    shot(p, "csc-approved")
    p.wait_for_url(re.compile(re.escape(REDIRECT) + r"\?code="))
    back = p.url
    assert query(back)["state"] == flow.state
    token = flow.token(back)
    assert token["scope"] == "credential"
    r = httpx.post(f"{world.url}/csc/v2/signatures/signDoc", timeout=60, json={
        "credentialID": customer.credential.id,
        "documents": [{"document": base64.b64encode(pdf).decode(), "signature_format": "P",
                       "signAlgo": "1.2.840.113549.1.1.11", "conformance_level": "Ades-B-T"}]},
        headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 200, r.text
    signed = base64.b64decode(r.json()["DocumentWithSignature"][0])
    root = world.container.pki_publisher.ca_certificate("root")
    with ThreadPoolExecutor(1) as pool:  # pyHanko runs its own event loop; Playwright's is here
        status = pool.submit(validate, signed, root, moment=world.clock.now(),
                             fetch=True).result()
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    out = world.files / "csc-oauth-signed.pdf"
    out.write_bytes(signed)
    [verdict] = pdfsig(world.nss_db(), out)
    assert verdict["Signature Validation"] == "Signature is Valid.", verdict
    assert verdict["Certificate Validation"] == "Certificate is Trusted.", verdict


def test_deny_a_service_access_and_the_service_is_told(page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Hoàng Văn Em")
    party = _party(world, "Ngân hàng TMCP Ví Dụ")
    flow = start(world.url, party.party.sp_id, "service")
    p.route("https://dichvucong.example.vn/**", _callback)
    p.goto(flow.url)
    _log_in_here(p, world, customer)
    expect(p.locator(".csc-lead")).to_contain_text("Ngân hàng TMCP Ví Dụ")
    expect(p.get_by_role("button", name="Cho phép")).to_be_visible()
    shot(p, "csc-service")
    p.get_by_role("button", name="Từ chối").click()
    p.wait_for_url(re.compile(re.escape(REDIRECT) + r"\?error=access_denied"))
    got = query(p.url)
    assert got["state"] == flow.state and "code" not in got


def test_an_asynchronous_sign_hash_waits_for_the_approval_in_the_app(page: Watched,
                                                                     world: World) -> None:
    """A CSC client asks ``signHash`` with ``operationMode: "A"`` and no SAD: the request
    shows on the pending-approval screen, the customer confirms with the code, and
    ``signPolling`` returns signatures that verify against the certificate."""
    p, customer = page.page, world.customer("Vũ Thị Giang")
    digest = hashlib.sha256(b"to khai thue 2026").digest()
    csc = {"Authorization": f"Bearer {customer.token}"}
    r = httpx.post(f"{world.url}/csc/v2/signatures/signHash", headers=csc, json={
        "credentialID": customer.credential.id, "hashes": [base64.b64encode(digest).decode()],
        "signAlgo": "1.2.840.113549.1.1.11", "operationMode": "A"})
    assert r.status_code == 200, r.text
    response_id = r.json()["responseID"]
    poll = {"responseID": response_id}
    assert httpx.post(f"{world.url}/csc/v2/signatures/signPolling", headers=csc,
                      json=poll).json()["status"] == "pending"
    p.goto("/")
    _log_in_here(p, world, customer)
    nav_to(p, "Giao dịch chờ xác nhận")
    [tx] = [t for t in customer.get("/transactions").json() if t["kind"] == "csc_sign_hash"]
    box = p.locator(f'article[data-id="{tx["id"]}"]')
    expect(box.get_by_role("heading", level=2)).to_have_text("Yêu cầu ký số từ ứng dụng")
    expect(box).to_contain_text(base64.b64encode(digest).decode())
    expect(box.get_by_label("Mã OTP")).to_be_visible()
    shot(p, "csc-async-pending")
    assert customer.device is not None
    box.get_by_label("Mã OTP").fill(customer.device.answer(tx))
    box.get_by_role("button", name="Xác nhận").click()
    expect(box.get_by_role("status")).to_have_text("Giao dịch đã được xác nhận.")
    r = httpx.post(f"{world.url}/csc/v2/signatures/signPolling", headers=csc, json=poll)
    assert r.status_code == 200 and r.json()["status"] == "signed", r.text
    key = serialization.load_der_public_key(
        x509.load_der_x509_certificate(customer.credential.chain[0]).public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo))
    assert isinstance(key, rsa.RSAPublicKey)
    [signature] = r.json()["signatures"]
    key.verify(base64.b64decode(signature), digest, padding.PKCS1v15(),
               Prehashed(hashes.SHA256()))


def test_the_customer_sees_and_revokes_an_application_holding_a_refresh_token(
        page: Watched, world: World) -> None:
    p, customer = page.page, world.customer("Đặng Thị Giang")
    party = _party(world, "Cổng thông tin Bảo hiểm xã hội")
    flow = start(world.url, party.party.sp_id, "service")
    p.route("https://dichvucong.example.vn/**", _callback)
    p.goto(flow.url)
    _log_in_here(p, world, customer)
    p.get_by_role("button", name="Cho phép").click()
    p.wait_for_url(re.compile(re.escape(REDIRECT) + r"\?code="))
    token = flow.token(p.url)
    url = f"{world.url}/csc/v2/oauth2/token"
    token = flow.client.refresh_token(url, refresh_token=token["refresh_token"])  # rotated
    p.goto(f"{world.url}/#parties")
    grants = p.locator("section.grants")
    expect(grants.get_by_role("heading", level=2)).to_have_text("Ứng dụng được cấp quyền")
    card = grants.locator(f'li.grant[data-grant="{party.party.sp_id}"]')
    expect(card.get_by_role("heading", level=3)).to_have_text("Cổng thông tin Bảo hiểm xã hội")
    expect(card).to_contain_text("Được cấp từ")
    expect(card).to_contain_text("Hiệu lực đến")
    expect(grants.get_by_role("status")).to_have_count(0)  # no notice before a revocation
    shot(p, "csc-grants")
    card.get_by_role("button", name="Thu hồi quyền").click()
    expect(grants.get_by_role("status")).to_have_text(
        "Đã thu hồi quyền của Cổng thông tin Bảo hiểm xã hội.")
    expect(grants).to_contain_text("Chưa có ứng dụng nào được cấp quyền.")
    expect(card).to_have_count(0)
    shot(p, "csc-grants-revoked")
    r = httpx.post(f"{world.url}/csc/v2/credentials/list", json={}, timeout=30,
                   headers={"Authorization": f"Bearer {token['access_token']}"})
    assert r.status_code == 401, r.text
    gone = httpx.post(url, data={"grant_type": "refresh_token", "client_id": party.party.sp_id,
                                 "refresh_token": token["refresh_token"]}, timeout=30)
    assert gone.status_code == 400 and gone.json()["error"] == "invalid_grant", gone.text
