"""Buy → pay in the sandbox (three methods; succeed, fail, cancel) → IPN → provision →
notify → balance, over HTTP on the real app."""

from __future__ import annotations

import itertools

from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from tests.integration.billing.conftest import Customer, order, pay

METHODS = ("ewallet", "credit_card", "atm")
CHOICES = ("succeed", "fail", "cancel")
EXPECTED = {"succeed": "fulfilled", "fail": "failed", "cancel": "cancelled"}


def balance(client: TestClient, who: Customer) -> dict:  # type: ignore[type-arg]
    response = client.get("/api/v1/billing/certificates", headers=who.headers)
    assert response.status_code == 200, response.text
    [cert] = response.json()
    return dict(cert)


def test_every_method_and_outcome(client: TestClient, shop: Container,
                                  customer: Customer) -> None:
    assert balance(client, customer)["available_signatures"] == 0
    for method, choice in itertools.product(METHODS, CHOICES):
        placed = order(client, customer, "pack-10", customer.credential_id)
        assert placed["status"] == "pending" and placed["amount"] == 55000
        page = pay(client, placed["payment_url"], method, choice)
        assert page.status_code == 200
        got = client.get(f"/api/v1/billing/orders/{placed['id']}", headers=customer.headers)
        assert got.json()["status"] == EXPECTED[choice], (method, choice)
        if choice == "succeed":
            assert got.json()["method"] == method
            assert "Thanh toán thành công" in page.text
    cert = balance(client, customer)
    assert cert["available_signatures"] == 30  # three successful packs of 10, no more
    assert cert["package"] is None
