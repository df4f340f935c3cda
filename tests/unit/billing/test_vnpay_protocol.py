"""VNPay 2.1.0's signature rule, checked against an independent computation: the parameters
sorted and form-encoded by the standard library's ``urlencode``, then HMAC-SHA512 by
``openssl dgst`` (another implementation of the MAC)."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from kyso.adapters.payments.sandbox import Choice, SandboxBank, SandboxMethod
from kyso.adapters.payments.vnpay import VnpayGateway, secure_hash
from kyso.billing.catalog import Product, ProductKind
from kyso.billing.orders import Order, PaymentMethod
from kyso.billing.payment import BadCallback, BadSignature, PaymentOutcome
from kyso.clock import ManualClock

SECRET = "VNPAYSECRETKEY0123456789ABCDEFGH"
TMN = "KYSO0001"
NOW = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
PACK = Product("pack-10", ProductKind.PACK, "Gói 10 lượt ký", 55000, signatures=10)


def openssl_hmac_sha512(key: str, data: str) -> str:
    out = subprocess.run(["openssl", "dgst", "-sha512", "-hmac", key, "-r"],
                         input=data.encode(), capture_output=True, check=True).stdout
    return out.split()[0].decode()


def independent_hash(params: dict[str, str], key: str = SECRET) -> str:
    signed = {k: v for k, v in params.items() if k not in ("vnp_SecureHash", "vnp_SecureHashType")}
    return openssl_hmac_sha512(key, urlencode(sorted(signed.items())))


def an_order() -> Order:
    return Order.of("A1B2C3D4E5F60718", "acct", PACK, "kyso-ca-1f", NOW,
                    NOW + timedelta(minutes=15))


def test_the_payment_url_is_signed_as_vnpay_signs() -> None:
    gateway = VnpayGateway(TMN, SECRET, "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
    url = gateway.payment_url(an_order(), return_url="https://ca.example.vn/billing/vnpay/return",
                              client_ip="203.0.113.9", locale="vn", now=NOW)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == (
        "https", "sandbox.vnpayment.vn", "/paymentv2/vpcpay.html")
    params = dict(parse_qsl(parts.query, strict_parsing=True))
    assert params["vnp_SecureHash"] == independent_hash(params)
    assert params["vnp_Version"] == "2.1.0" and params["vnp_Command"] == "pay"
    assert params["vnp_Amount"] == "5500000"  # VND x 100
    assert params["vnp_CreateDate"] == "20261122100405"  # GMT+7
    assert params["vnp_ExpireDate"] == "20261122101905"
    assert params["vnp_OrderInfo"] == "Thanh toan don hang A1B2C3D4E5F60718"
    # the query is the signed string itself: spaces as '+', keys sorted
    assert "vnp_OrderInfo=Thanh+toan+don+hang" in parts.query
    keys = [k for k, _ in parse_qsl(parts.query)][:-1]
    assert keys == sorted(keys)


@pytest.mark.parametrize("value", ["Thanh toán đơn hàng #1 & 2", "a+b=c/d?e", "~*'()!"])
def test_any_value_signs_like_the_independent_rule(value: str) -> None:
    params = {"vnp_TxnRef": "X1", "vnp_OrderInfo": value, "vnp_Amount": "100",
              "vnp_SecureHashType": "HMACSHA512", "other": "ignored"}
    independent = openssl_hmac_sha512(SECRET, urlencode(sorted(
        (k, v) for k, v in params.items() if k.startswith("vnp_")
        and k != "vnp_SecureHashType")))
    assert secure_hash(params, SECRET) == independent


def sandbox_result(choice: Choice, method: SandboxMethod = SandboxMethod.ATM) -> dict[str, str]:
    gateway = VnpayGateway(TMN, SECRET, "http://127.0.0.1/sandbox")
    url = gateway.payment_url(an_order(), return_url="http://127.0.0.1/r", client_ip="127.0.0.1",
                              locale="vn", now=NOW)
    bank = SandboxBank(TMN, SECRET, ManualClock(NOW + timedelta(minutes=1)), lambda: "14100001")
    return bank.result(bank.open(dict(parse_qsl(urlsplit(url).query))), method, choice)


@pytest.mark.parametrize(("choice", "outcome", "code"), [
    (Choice.SUCCEED, PaymentOutcome.PAID, "00"),
    (Choice.FAIL, PaymentOutcome.FAILED, "51"),
    (Choice.CANCEL, PaymentOutcome.CANCELLED, "24")])
def test_the_sandbox_answers_in_the_same_protocol(choice: Choice, outcome: PaymentOutcome,
                                                  code: str) -> None:
    result = sandbox_result(choice)
    assert result["vnp_SecureHash"] == independent_hash(result)
    read = VnpayGateway(TMN, SECRET, "x").verify(result)
    assert (read.outcome, read.response_code, read.amount, read.order_id) == (
        outcome, code, 55000, "A1B2C3D4E5F60718")


@pytest.mark.parametrize(("method", "expected"), [
    (SandboxMethod.EWALLET, PaymentMethod.EWALLET),
    (SandboxMethod.CREDIT_CARD, PaymentMethod.CREDIT_CARD),
    (SandboxMethod.ATM, PaymentMethod.ATM)])
def test_the_method_is_read_back(method: SandboxMethod, expected: PaymentMethod) -> None:
    read = VnpayGateway(TMN, SECRET, "x").verify(sandbox_result(Choice.SUCCEED, method))
    assert read.method is expected and read.transaction_no == "14100001"


def test_altered_or_foreign_callbacks_are_refused() -> None:
    gateway = VnpayGateway(TMN, SECRET, "x")
    result = sandbox_result(Choice.SUCCEED)
    for key, value in [("vnp_Amount", "100"), ("vnp_ResponseCode", "00 "),
                       ("vnp_SecureHash", "")]:
        with pytest.raises(BadSignature):
            gateway.verify(result | {key: value})
    with pytest.raises(BadSignature):
        gateway.verify({k: v for k, v in result.items() if k != "vnp_SecureHash"})
    with pytest.raises(BadSignature):  # another merchant's secret
        VnpayGateway(TMN, "another-secret", "x").verify(result)
    foreign = result | {"vnp_TmnCode": "OTHER"}
    foreign["vnp_SecureHash"] = secure_hash(foreign, SECRET)
    with pytest.raises(BadSignature):
        gateway.verify(foreign)
    odd = result | {"vnp_Amount": "5500050"}
    odd["vnp_SecureHash"] = secure_hash(odd, SECRET)
    with pytest.raises(BadCallback):
        gateway.verify(odd)


def test_the_sandbox_refuses_a_forged_request_and_reports_expiry() -> None:
    gateway = VnpayGateway(TMN, SECRET, "http://127.0.0.1/sandbox")
    url = gateway.payment_url(an_order(), return_url="http://127.0.0.1/r", client_ip="127.0.0.1",
                              locale="vn", now=NOW)
    params = dict(parse_qsl(urlsplit(url).query))
    bank = SandboxBank(TMN, SECRET, ManualClock(NOW + timedelta(minutes=20)))
    with pytest.raises(BadSignature):
        bank.open(params | {"vnp_Amount": "100"})
    late = bank.result(bank.open(params), SandboxMethod.ATM, Choice.SUCCEED)
    assert (late["vnp_ResponseCode"], late["vnp_TransactionStatus"]) == ("11", "02")
