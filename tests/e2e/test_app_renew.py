"""``kyso app renew`` against a real ``kyso serve``: a certificate package bought without a
certificate and paid in the sandbox renews the certificate, confirmed with the app's SmartOTP
(the PIN on stdin); the old certificate stays active beside the new one."""

from __future__ import annotations

import json

from tests.e2e.harness import SMARTOTP_PIN, Customer, register
from tests.e2e.test_billing_app import buyer, pay_in_browser, server

__all__ = ["buyer", "server"]  # the fixtures, shared with the billing tests


def test_renew_with_a_paid_package(buyer: tuple[Customer, str]) -> None:
    customer, credential = buyer
    register(customer)
    bought = customer.run("buy", "unlimited-1y", "--json")
    assert bought.returncode == 0, bought.stderr
    order = json.loads(bought.stdout)
    assert pay_in_browser(order["payment_url"], "atm", "succeed").status_code == 200
    done = customer.run("renew", credential, order["id"], "--pin-stdin",
                        stdin=f"{SMARTOTP_PIN}\n")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Đã gia hạn" in done.stdout and "Gia hạn chứng thư số" in done.stdout + done.stderr
    certs = json.loads(customer.run("certs", "--json").stdout)
    assert sorted(c["status"] for c in certs) == ["active", "active"]
    [new] = [c for c in certs if c["credential_id"] != credential]
    assert new["unlimited"] is True
    again = customer.run("renew", credential, order["id"], "--pin-stdin",
                         stdin=f"{SMARTOTP_PIN}\n")
    assert again.returncode == 1 and "chưa được thanh toán" in again.stderr, again.stderr
