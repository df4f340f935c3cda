"""Onboarding without a payment dead end: a cancelled or failed payment is followed by a new
order for the same registration (nothing typed again), the return page leads back to the
registration, and a package already paid on "Mua gói dịch vụ" is used (no second payment)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from tests.integration.api.conftest import auth, login, sign_up
from tests.integration.billing.conftest import pay
from tests.integration.onboarding.test_flow import BASE, form


def _pay_url(client: TestClient, headers: dict[str, str], order_id: str) -> str:
    r = client.post(f"/api/v1/billing/orders/{order_id}/payment", headers=headers)
    assert r.status_code == 200, r.text
    return str(r.json()["payment_url"])


def test_a_cancelled_then_a_failed_payment_then_a_good_one(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client)
    headers = auth(login(client))
    r = client.post(BASE, json=form(clock, package="per-signature-1y"), headers=headers)
    first = r.json()["order_id"]
    same = client.post(f"{BASE}/payment/order", headers=headers).json()
    assert same["order_id"] == first  # still payable: the same order
    back = pay(client, _pay_url(client, headers, first), "atm", "cancel")
    assert "Quý khách đã hủy giao dịch" in back.text and 'href="/#register"' in back.text
    assert "thanh toán lại" in back.text and 'name="viewport"' in back.text
    stuck = client.post(f"/api/v1/billing/orders/{first}/payment", headers=headers)
    assert stuck.status_code == 409  # the old order cannot be paid any more
    second = client.post(f"{BASE}/payment/order", headers=headers).json()
    assert second["state"] == "awaiting_payment" and second["order_id"] != first
    assert second["full_name"] == "Nguyễn Văn An"  # the form is kept
    pay(client, _pay_url(client, headers, second["order_id"]), "ewallet", "fail")
    third = client.post(f"{BASE}/payment/order", headers=headers).json()
    assert third["order_id"] not in (first, second["order_id"])
    good = pay(client, _pay_url(client, headers, third["order_id"]), "ewallet", "succeed")
    assert "Tiếp tục đăng ký chứng thư số" in good.text
    moved = client.post(f"{BASE}/payment", headers=headers)
    assert moved.json()["state"] == "awaiting_activation", moved.text
    with container.uow() as uow:
        renewals = [rec for rec in uow.audit.records()
                    if rec.event.action == "onboarding.order_renewed"]
    assert len(renewals) == 2


def test_an_expired_order_gives_way_to_a_new_one(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client)
    headers = auth(login(client))
    first = client.post(BASE, json=form(clock, package="per-signature-1y"),
                        headers=headers).json()["order_id"]
    clock.advance(24 * 3600)
    headers = auth(login(client))
    late = client.post(f"{BASE}/payment/order", headers=headers)  # due, not swept yet
    assert late.json()["order_id"] != first, late.text
    assert container.orders.expire_due() >= 1
    first = late.json()["order_id"]
    clock.advance(24 * 3600)
    assert container.orders.expire_due() >= 1
    headers = auth(login(client))
    renewed = client.post(f"{BASE}/payment/order", headers=headers)
    assert renewed.status_code == 200 and renewed.json()["order_id"] != first, renewed.text


def test_a_package_bought_first_is_used_by_the_registration(
        client: TestClient, container: Container, clock: ManualClock) -> None:
    sign_up(client)
    headers = auth(login(client))
    bought = client.post("/api/v1/billing/orders", headers=headers,
                         json={"product": "per-signature-1y"})
    assert bought.status_code == 201, bought.text
    pay(client, bought.json()["payment_url"], "atm", "succeed")
    r = client.post(BASE, json=form(clock, package="per-signature-1y"), headers=headers)
    assert r.status_code == 201, r.text
    assert r.json()["state"] == "awaiting_activation"  # paid already: no second payment
    assert r.json()["order_id"] == bought.json()["id"]
    orders = client.get("/api/v1/billing/orders", headers=headers).json()
    assert len(orders) == 1
