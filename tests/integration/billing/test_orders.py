"""Orders without payment (free offers), certificate packages (for a certificate, or waiting
for one), eligibility, the catalogue's rules, the receipt and the notice, bad input."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from kyso.billing.errors import InvalidProduct, NotEligible, UnknownCredential
from kyso.billing.orders import OrderStatus
from kyso.bootstrap import Container
from kyso.pki.model import RevocationReason
from tests.integration.api.conftest import auth
from tests.integration.billing.conftest import (
    Customer,
    make_customer,
    open_sandbox,
    order,
    pay,
)


def receipts(shop: Container, account_id: str) -> list[tuple[str, str, str | None]]:
    shop.outbox_worker().run_once()
    with shop.uow() as uow:
        mail = [m for m in uow.outbox.recent(50)
                if m.account_id == account_id and m.purpose == "billing.receipt"]
    return [(b.subject, b.text, b.html) for b in (shop.notifier.open_body(m) for m in mail)]


def notices(client: TestClient, who: Customer) -> list[str]:
    inbox = client.get("/api/v1/notifications", headers=who.headers).json()
    return [f"{n['title']}: {n['body']}" for n in inbox]


def test_the_free_citizen_certificate_needs_no_payment_once(client: TestClient, shop: Container,
                                                             customer: Customer) -> None:
    free = order(client, customer, "citizen-free-1y", customer.credential_id)
    assert (free["status"], free["amount"], free["payment_url"], free["method"],
            free["gateway"]) == ("fulfilled", 0, None, "free", "free")
    [cert] = client.get("/api/v1/billing/certificates", headers=customer.headers).json()
    assert cert["plan"] == "per_signature" and cert["available_signatures"] == 0
    assert cert["package"].startswith("Miễn phí chứng thư số 1 năm")
    assert cert["term_end"].startswith(str(shop.clock.now().year + 1))
    again = order(client, customer, "citizen-free-1y", status=403)
    assert again["error"] == "not_eligible" and "một lần" in again["error_description"]
    [(subject, text, html)] = receipts(shop, customer.account_id)
    assert "Đăng ký gói thành công" in text and "Miễn phí" in text and "0 ₫" in text
    assert html is not None and "<table" in html and subject.startswith("[kyso] Biên nhận")


def test_the_free_offer_is_for_citizens(client: TestClient, shop: Container) -> None:
    passport = make_customer(client, shop, 2, certificate=False, id_number="B1234567")
    refused = order(client, passport, "citizen-free-1y", status=403)
    assert "CCCD" in refused["error_description"]
    english = client.post("/api/v1/billing/orders", json={"product": "citizen-free-1y"},
                          headers=passport.headers | {"Accept-Language": "en"}).json()
    assert "citizen ID" in english["error_description"]


def test_a_package_without_a_certificate_waits_for_issuance(client: TestClient, shop: Container,
                                                            customer: Customer) -> None:
    placed = order(client, customer, "unlimited-1y")
    pay(client, placed["payment_url"], "credit_card", "succeed")
    got = client.get(f"/api/v1/billing/orders/{placed['id']}", headers=customer.headers).json()
    assert got["status"] == "awaiting_issuance" and got["credential_id"] is None
    assert "khi được cấp" in notices(client, customer)[0]
    other = make_customer(client, shop, 2)
    assert other.credential_id is not None
    with pytest.raises(UnknownCredential):  # someone else's certificate
        shop.provisioner.attach(placed["id"], other.credential_id, actor="test")
    assert customer.credential_id is not None
    done = shop.provisioner.attach(placed["id"], customer.credential_id, actor="test")
    assert done.status is OrderStatus.FULFILLED
    [cert] = client.get("/api/v1/billing/certificates", headers=customer.headers).json()
    assert cert["plan"] == "unlimited" and cert["unlimited"] is True
    until = datetime.fromisoformat(cert["unlimited_until"])
    assert until == datetime.fromisoformat(cert["term_end"]) and until.year == 2027
    texts = [t for _, t, _ in receipts(shop, customer.account_id)]
    assert len(texts) == 2 and "1.650.000 ₫" in texts[0]
    assert "Thuế GTGT (10%): 150.000 ₫" in texts[0] and "Giá chưa thuế: 1.500.000 ₫" in texts[0]


def test_an_unlimited_package_renews_from_the_end_of_the_running_term(
        client: TestClient, shop: Container, customer: Customer) -> None:
    for _ in range(2):
        placed = order(client, customer, "unlimited-2y", customer.credential_id)
        pay(client, placed["payment_url"], "atm", "succeed")
    [cert] = client.get("/api/v1/billing/certificates", headers=customer.headers).json()
    assert datetime.fromisoformat(cert["term_end"]) == datetime(2030, 1, 1, tzinfo=UTC)
    assert cert["unlimited_until"] == cert["term_end"]


def test_a_paid_pack_notifies_in_app_and_by_email(client: TestClient, shop: Container,
                                                  customer: Customer) -> None:
    placed = order(client, customer, "pack-100", customer.credential_id)
    pay(client, placed["payment_url"], "ewallet", "succeed")
    [notice] = notices(client, customer)
    assert notice.startswith("Thanh toán thành công") and "100 lượt ký" in notice
    [(subject, text, html)] = receipts(shop, customer.account_id)
    assert placed["id"] in subject and "Ví điện tử" in text and "440.000 ₫" in text
    assert "Mã giao dịch" in text and html and "Chứng thư số" in html


def test_prices_are_data_and_orders_keep_theirs(client: TestClient, shop: Container,
                                                customer: Customer) -> None:
    before = order(client, customer, "pack-10", customer.credential_id)
    with pytest.raises(InvalidProduct, match="5,000"):  # below VNPay's minimum
        shop.catalog.set_price("pack-10", 100, actor="test")
    shop.catalog.set_price("pack-10", 66000, actor="test")
    after = order(client, customer, "pack-10", customer.credential_id)
    assert (before["amount"], after["amount"]) == (55000, 66000)
    catalog = {p["code"]: p for p in client.get("/api/v1/billing/catalog").json()}
    assert (catalog["pack-10"]["price"], catalog["pack-10"]["vat"],
            catalog["pack-10"]["price_before_vat"]) == (66000, 6000, 60000)
    pay(client, before["payment_url"], "atm", "succeed")  # at the price it was ordered
    assert client.get(f"/api/v1/billing/orders/{before['id']}",
                      headers=customer.headers).json()["status"] == "fulfilled"
    shop.catalog.set_active("pack-10", False, actor="test")
    assert "pack-10" not in {p["code"] for p in client.get("/api/v1/billing/catalog").json()}
    assert order(client, customer, "pack-10", customer.credential_id,
                 status=409)["error"] == "product_unavailable"


@pytest.mark.parametrize(("body", "status"), [
    ({"product": "pack-10"}, 400),  # a pack needs a certificate
    ({"product": "pack-10", "credential_id": "kyso-ca-ffff"}, 404),
    ({"product": "no-such"}, 404),
    ({"product": ""}, 400),
    ({"product": "x" * 41}, 400),
    ({"credential_id": "x"}, 400),
    ({"product": "pack-10", "price": 1}, 400),
    ([], 400),
])
def test_bad_orders_are_clear_4xx(client: TestClient, customer: Customer, body: object,
                                  status: int) -> None:
    response = client.post("/api/v1/billing/orders", json=body, headers=customer.headers)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error", "error_description"}


def test_no_package_for_a_revoked_certificate(client: TestClient, shop: Container,
                                              customer: Customer) -> None:
    assert customer.credential_id is not None
    serial = int(customer.credential_id.rsplit("-", 1)[1], 16)
    shop.pki.revoke(serial, RevocationReason.KEY_COMPROMISE, actor="test")
    refused = order(client, customer, "pack-10", customer.credential_id, status=409)
    assert refused["error"] == "credential_unusable" and "«đã thu hồi»" in refused[
        "error_description"]  # in words, not 'revoked'


def test_orders_are_private(client: TestClient, shop: Container, customer: Customer) -> None:
    placed = order(client, customer, "pack-10", customer.credential_id)
    other = make_customer(client, shop, 2, certificate=False)
    for path in (f"/api/v1/billing/orders/{placed['id']}",):
        assert client.get(path, headers=other.headers).status_code == 404
    assert client.post(f"/api/v1/billing/orders/{placed['id']}/payment",
                       headers=other.headers).status_code == 404
    assert client.get("/api/v1/billing/orders", headers=other.headers).json() == []
    assert client.get("/api/v1/billing/orders").status_code == 401
    assert client.get("/api/v1/billing/orders/../../x", headers=auth("nope")).status_code in (
        401, 404)


def test_the_pages_refuse_forged_requests(client: TestClient, customer: Customer) -> None:
    placed = order(client, customer, "pack-10", customer.credential_id)
    forged = placed["payment_url"].replace("vnp_Amount=5500000", "vnp_Amount=100")
    page = open_sandbox(client, forged)
    assert page.status_code == 400 and "sai chữ ký" in page.text
    assert client.get("/billing/vnpay/return?vnp_TxnRef=X&vnp_SecureHash=00").status_code == 400
    bad_form = client.post("/sandbox/vnpay/paymentv2/pay", data={"choice": "succeed"})
    assert bad_form.status_code == 400


@pytest.mark.parametrize("raw", [b"{not json", b"null", b'"\xff\xfe"', b'{"product": 5}'])
def test_hostile_bodies(client: TestClient, customer: Customer, raw: bytes) -> None:
    response = client.post("/api/v1/billing/orders", content=raw,
                           headers=customer.headers | {"Content-Type": "application/json"})
    assert response.status_code == 400 and set(response.json()) == {"error",
                                                                     "error_description"}


def test_hostile_callbacks_are_answered_not_crashed(client: TestClient) -> None:
    for query in ("vnp_Amount=abc&vnp_SecureHash=zz", "vnp_TxnRef=" + "A" * 5000,
                  "vnp_SecureHash=%ff%fe", ""):
        response = client.get(f"/api/v1/billing/vnpay/ipn?{query}")
        assert response.status_code == 200 and response.json()["RspCode"] == "97"
        assert client.get(f"/billing/vnpay/return?{query}").status_code == 400
        assert client.get(f"/sandbox/vnpay/paymentv2/vpcpay.html?{query}").status_code == 400


def test_a_once_per_account_offer_under_concurrency(client: TestClient, shop: Container,
                                                    customer: Customer) -> None:
    def take(_: int) -> str:
        try:
            return shop.orders.create(customer.account_id, "citizen-free-1y").status.value
        except NotEligible:
            return "refused"

    with ThreadPoolExecutor(6) as pool:
        outcomes = sorted(pool.map(take, range(6)))
    assert outcomes == ["awaiting_issuance"] + ["refused"] * 5
