"""The IPN is strict and idempotent: a duplicate credits once; a forged signature, a wrong
amount, an unknown order or an out-of-order callback changes nothing and gets its RspCode."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from fastapi.testclient import TestClient

from kyso.adapters.payments.sandbox import Choice, SandboxMethod
from kyso.adapters.payments.vnpay import secure_hash
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from tests.integration.api.conftest import login
from tests.integration.billing.conftest import Customer, order


def result(shop: Container, placed: dict[str, Any], choice: Choice = Choice.SUCCEED,
           **changes: str) -> dict[str, str]:
    """The sandbox's signed result for an order, optionally altered and signed again."""
    bank = shop.sandbox_bank
    params = bank.result(bank.open(dict(parse_qsl(urlsplit(placed["payment_url"]).query))),
                         SandboxMethod.ATM, choice)
    if changes:
        params |= changes
        params["vnp_SecureHash"] = secure_hash(params, shop.sandbox_secret)
    return params


def ipn(client: TestClient, params: dict[str, str]) -> dict[str, str]:
    response = client.get("/api/v1/billing/vnpay/ipn", params=params)
    assert response.status_code == 200
    return dict(response.json())


def state(client: TestClient, who: Customer, order_id: str) -> tuple[str, int]:
    got = client.get(f"/api/v1/billing/orders/{order_id}", headers=who.headers).json()
    [cert] = client.get("/api/v1/billing/certificates", headers=who.headers).json()
    return got["status"], cert["available_signatures"]


def refusals(shop: Container) -> list[str]:
    with shop.uow() as uow:
        return [str(r.event.details["rsp_code"]) for r in uow.audit.records()
                if r.event.action == "billing.ipn_refused"]


@pytest.fixture
def placed(client: TestClient, customer: Customer) -> dict[str, Any]:
    return order(client, customer, "pack-50", customer.credential_id)


def test_a_duplicate_ipn_credits_once(client: TestClient, shop: Container, customer: Customer,
                                      placed: dict[str, Any]) -> None:
    params = result(shop, placed)
    assert ipn(client, params) == {"RspCode": "00", "Message": "Confirm Success"}
    assert ipn(client, params) == {"RspCode": "02", "Message": "Order already confirmed"}
    assert state(client, customer, placed["id"]) == ("fulfilled", 50)
    assert refusals(shop) == ["02"]


@pytest.mark.parametrize(("change", "code"), [
    ({"vnp_SecureHash": "0" * 128}, "97"),
    ({"vnp_SecureHash": ""}, "97"),
    ({"vnp_Amount": "100"}, "97"),  # altered after signing
])
def test_a_forged_callback_changes_nothing(client: TestClient, shop: Container,
                                           customer: Customer, placed: dict[str, Any],
                                           change: dict[str, str], code: str) -> None:
    assert ipn(client, result(shop, placed) | change)["RspCode"] == code
    assert state(client, customer, placed["id"]) == ("pending", 0)
    assert refusals(shop) == [code]


def test_a_signed_callback_with_bad_fields(client: TestClient, shop: Container,
                                          customer: Customer, placed: dict[str, Any]) -> None:
    assert ipn(client, result(shop, placed, vnp_TmnCode="OTHER"))["RspCode"] == "97"
    assert ipn(client, result(shop, placed, vnp_TxnRef="NOSUCHORDER"))["RspCode"] == "01"
    assert ipn(client, result(shop, placed, vnp_Amount="5500000"))["RspCode"] == "04"
    assert ipn(client, result(shop, placed, vnp_Amount="24750001"))["RspCode"] == "99"
    assert ipn(client, {})["RspCode"] == "97"
    assert state(client, customer, placed["id"]) == ("pending", 0)
    assert refusals(shop) == ["97", "01", "04", "99", "97"]


def test_out_of_order_callbacks_change_nothing(client: TestClient, shop: Container,
                                               customer: Customer) -> None:
    paid = order(client, customer, "pack-10", customer.credential_id)
    success, failure = result(shop, paid), result(shop, paid, Choice.FAIL)
    assert ipn(client, success)["RspCode"] == "00"
    assert ipn(client, failure)["RspCode"] == "02"  # a failure after the success
    assert state(client, customer, paid["id"]) == ("fulfilled", 10)
    failed = order(client, customer, "pack-10", customer.credential_id)
    late_success = result(shop, failed)
    assert ipn(client, result(shop, failed, Choice.CANCEL))["RspCode"] == "00"
    assert ipn(client, late_success)["RspCode"] == "02"  # a success after the cancel
    assert state(client, customer, failed["id"]) == ("cancelled", 10)


def test_payment_after_expiry_is_refused(client: TestClient, shop: Container,
                                         customer: Customer, clock: ManualClock) -> None:
    placed = order(client, customer, "pack-10", customer.credential_id)
    in_time = result(shop, placed)
    clock.advance(16 * 60)  # past the 15-minute expiry: the sandbox reports code 11
    assert result(shop, placed)["vnp_ResponseCode"] == "11"
    assert ipn(client, in_time)["RspCode"] == "00"  # paid in time, reported within the grace
    assert state(client, customer, placed["id"]) == ("fulfilled", 10)
    late = order(client, customer, "pack-10", customer.credential_id)
    paid_late = result(shop, late, vnp_PayDate="20991231235959")
    assert ipn(client, paid_late)["RspCode"] == "02"
    report_late = result(shop, late)
    clock.advance(31 * 60)  # past expiry and grace
    assert ipn(client, report_late)["RspCode"] == "02"
    assert shop.orders.expire_due() == 1
    customer = replace(customer, token=login(client))  # the session idled out meanwhile
    assert state(client, customer, late["id"]) == ("expired", 10)
    assert ipn(client, report_late)["RspCode"] == "02"


def test_a_failure_inside_the_transaction_answers_99_and_writes_nothing(
        client: TestClient, shop: Container, customer: Customer, placed: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("ledger down")

    monkeypatch.setattr(shop.quota, "credit", broken)
    params = result(shop, placed)
    assert ipn(client, params)["RspCode"] == "99"
    assert state(client, customer, placed["id"]) == ("pending", 0)
    monkeypatch.undo()
    assert ipn(client, params)["RspCode"] == "00"  # the gateway's retry lands
    assert state(client, customer, placed["id"]) == ("fulfilled", 50)


def test_expired_orders_cannot_get_a_payment_url(client: TestClient, customer: Customer,
                                                 clock: ManualClock) -> None:
    placed = order(client, customer, "pack-10", customer.credential_id)
    clock.advance(timedelta(minutes=15).total_seconds())
    response = client.post(f"/api/v1/billing/orders/{placed['id']}/payment",
                           headers=customer.headers)
    assert response.status_code == 409 and response.json()["error"] == "order_state"


def test_concurrent_duplicate_ipns_credit_once(client: TestClient, shop: Container,
                                               customer: Customer,
                                               placed: dict[str, Any]) -> None:
    params = result(shop, placed)
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(lambda _: shop.payment_callbacks.ipn(params).value, range(8)))
    assert sorted(answers) == ["00"] + ["02"] * 7
    assert state(client, customer, placed["id"]) == ("fulfilled", 50)
    with shop.uow() as uow:
        paid = [r for r in uow.audit.records() if r.event.action == "billing.order_paid"]
    assert len(paid) == 1


def test_the_return_url_only_shows(client: TestClient, shop: Container, customer: Customer,
                                   placed: dict[str, Any]) -> None:
    page = client.get("/billing/vnpay/return", params=result(shop, placed))
    assert page.status_code == 200 and "Thanh toán thành công" in page.text
    assert "Chờ thanh toán" in page.text  # the order's own state: no IPN yet
    assert state(client, customer, placed["id"]) == ("pending", 0)
