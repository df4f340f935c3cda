"""Gia hạn: a paid certificate package and one SmartOTP confirmation give the customer a new
key and certificate with the same name, ID and place; the package applies to it at once and
the old certificate stays valid until its end."""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import replace
from typing import Any

from cryptography import x509
from fastapi.testclient import TestClient

from kyso.billing.orders import OrderPurpose
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.pki.model import RevocationReason
from kyso.signing.credentials import parse_credential_id
from tests.integration.api.smartotp_helpers import Device, enrol
from tests.integration.billing.conftest import Customer, make_customer, order, pay
from tests.integration.billing.test_orders import notices


def renew(client: TestClient, who: Customer, credential: str | None, order_id: str,
          status: int = 201) -> dict[str, Any]:
    r = client.post(f"/api/v1/billing/certificates/{credential}/renew",
                    json={"order_id": order_id}, headers=who.headers)
    assert r.status_code == status, r.text
    return dict(r.json())


def paid_package(client: TestClient, who: Customer, product: str = "unlimited-1y") -> str:
    placed = order(client, who, product)
    pay(client, placed["payment_url"], "atm", "succeed")
    return str(placed["id"])


def confirm(client: TestClient, who: Customer, device: Device, tx: dict[str, Any],
            status: int = 200) -> dict[str, Any]:
    r = client.post(f"/api/v1/transactions/{tx['id']}/confirm",
                    json={"otp": device.answer(tx)}, headers=who.headers)
    assert r.status_code == status, r.text
    return dict(r.json())


def test_a_renewal_issues_a_new_certificate_that_signs_with_the_package(
        client: TestClient, shop: Container, customer: Customer, clock: ManualClock) -> None:
    clock.set(clock.now().replace(second=1))
    device = enrol(client, shop, customer.token, customer.account_id, clock)
    old = customer.credential_id
    assert old is not None
    placed = paid_package(client, customer)
    tx = renew(client, customer, old, placed)
    assert tx["kind"] == "certificate_renewal" and tx["method"] == "smartotp"
    assert confirm(client, customer, device, tx)["status"] == "confirmed"
    creds = {c.id: c for c in shop.signing.credentials(customer.account_id)}
    [new] = [c for c in creds if c != old]
    assert creds[old].status_at(clock.now()).value == "active"  # the old one stays valid
    olds, news = (x509.load_der_x509_certificate(creds[c].certificate.certificate).subject
                  for c in (old, new))
    assert olds == news and creds[new].certificate.uid == creds[old].certificate.uid
    views = {v["credential_id"]: v for v in client.get(
        "/api/v1/billing/certificates", headers=customer.headers).json()}
    assert views[new]["plan"] == "unlimited" and views[new]["unlimited"] is True
    got = client.get(f"/api/v1/billing/orders/{placed}", headers=customer.headers).json()
    assert got["status"] == "fulfilled" and got["credential_id"] == new
    clock.advance(30)
    digest = [hashlib.sha256(os.urandom(16)).digest()]
    grant = shop.signing.authorize(customer.account_id, new, digest, HashAlgorithm.SHA256,
                                   device.code())
    [signature] = shop.signing.sign_digests(customer.account_id, new, grant.sad, digest,
                                            SignatureScheme.ECDSA_SHA256)
    assert signature
    with shop.uow() as uow:
        events = [r.event for r in uow.audit.records()
                  if r.event.action == "certificate.renewed"]
    assert [(e.subject, e.details["renews"]) for e in events] == [(new, old)]
    [told] = [n for n in notices(client, customer) if n.startswith("Đã gia hạn")]
    assert "vẫn dùng được đến hết thời hạn" in told


def test_the_refusals(client: TestClient, shop: Container, customer: Customer,
                      clock: ManualClock) -> None:
    clock.set(clock.now().replace(second=1))
    device = enrol(client, shop, customer.token, customer.account_id, clock)
    old = customer.credential_id
    assert old is not None
    other = make_customer(client, shop, 2)
    theirs = paid_package(client, other)
    renew(client, other, old, theirs, 404)  # not the owner of the certificate
    renew(client, customer, old, theirs, 404)  # not the owner of the order
    unpaid = order(client, customer, "unlimited-1y")["id"]
    refused = renew(client, customer, old, unpaid, 409)
    assert "chưa được thanh toán" in refused["error_description"]
    english = client.post(f"/api/v1/billing/certificates/{old}/renew", json={"order_id": unpaid},
                          headers=customer.headers | {"Accept-Language": "en"}).json()
    assert english["error"] == "order_state" and "not paid" in english["error_description"]
    renew(client, customer, "kyso-ca-../../etc", unpaid, 404)  # a made-up certificate
    pack = order(client, customer, "pack-10", old)
    pay(client, pack["payment_url"], "atm", "succeed")
    renew(client, customer, old, pack["id"], 409)  # a signature pack is no certificate
    placed = paid_package(client, customer)
    tx = renew(client, customer, old, placed)
    parsed = parse_credential_id(old)
    assert parsed is not None
    shop.pki.revoke(parsed[1], RevocationReason.KEY_COMPROMISE, actor="test", issuer=parsed[0])
    refused = confirm(client, customer, device, tx, 409)
    assert "không thể gia hạn" in refused["error_description"]
    assert len(shop.signing.credentials(customer.account_id)) == 1  # nothing issued
    assert renew(client, customer, old, placed, 409)["error"] == "not_renewable"
    got = client.get(f"/api/v1/billing/orders/{placed}", headers=customer.headers).json()
    assert got["status"] == "awaiting_issuance"


def renewal_order(client: TestClient, who: Customer, renews: str,
                  status: int = 201) -> dict[str, Any]:
    r = client.post("/api/v1/billing/orders", json={"product": "unlimited-1y", "renews": renews},
                    headers=who.headers)
    assert r.status_code == status, r.text
    return dict(r.json())


def test_the_return_page_follows_what_the_order_was_bought_for(
        client: TestClient, customer: Customer) -> None:
    """The order records its purpose when it is created: a renewal's package leads back to the
    renewal (#renew), paid or not; the same package bought on its own by the same holder of an
    active certificate is no renewal (nothing is guessed) and leads to the orders."""
    old = customer.credential_id
    assert old is not None
    placed = renewal_order(client, customer, old)
    assert (placed["purpose"], placed["renews"]) == ("renewal", old)
    cancelled = pay(client, placed["payment_url"], "atm", "cancel")
    assert 'href="/#renew"' in cancelled.text
    assert "Quay lại gia hạn để thanh toán lại" in cancelled.text
    paid = pay(client, renewal_order(client, customer, old)["payment_url"], "atm", "succeed")
    assert 'href="/#renew"' in paid.text and "Tiếp tục gia hạn chứng thư số" in paid.text
    assert "#register" not in paid.text and "IPN" not in paid.text
    alone = order(client, customer, "unlimited-1y")
    assert (alone["purpose"], alone["renews"]) == ("standalone", None)
    shop_paid = pay(client, alone["payment_url"], "atm", "succeed")
    assert 'href="/#buy"' in shop_paid.text and "#renew" not in shop_paid.text
    pack = order(client, customer, "pack-10", old)
    assert (pack["purpose"], pack["renews"]) == ("pack", None)


def test_a_renewal_order_names_a_certificate_of_ones_own(
        client: TestClient, shop: Container, customer: Customer, clock: ManualClock) -> None:
    old = customer.credential_id
    assert old is not None
    other = make_customer(client, shop, 2)
    assert renewal_order(client, other, old, 404)["error"] == "not_found"
    r = client.post("/api/v1/billing/orders", headers=customer.headers,
                    json={"product": "pack-10", "renews": old})
    assert r.status_code == 400 and "gói chứng thư số" in r.json()["error_description"]


def test_a_package_paid_to_renew_one_certificate_renews_no_other(
        client: TestClient, shop: Container, customer: Customer, clock: ManualClock) -> None:
    """The confirmation names what the customer recognises (holder, package, validity, a
    short serial); a package recorded for another certificate's renewal, or for a
    registration, is refused."""
    clock.set(clock.now().replace(second=1))
    enrol(client, shop, customer.token, customer.account_id, clock)
    old = customer.credential_id
    assert old is not None
    placed = renewal_order(client, customer, old)
    pay(client, placed["payment_url"], "atm", "succeed")
    details = renew(client, customer, old, placed["id"])["details"]
    assert details["holder"] and re.fullmatch(r"\d\d/\d\d/\d{4} – \d\d/\d\d/\d{4}",
                                              details["validity"])
    assert details["product"] and len(details["serial"]) <= 12
    for purpose, renews in ((OrderPurpose.RENEWAL, "kyso-ca-another"),
                            (OrderPurpose.REGISTRATION, None)):
        with shop.uow() as uow:
            got = uow.billing.order(placed["id"])
            assert got is not None
            other = replace(got, id=f"X{purpose.value[:8].upper()}", purpose=purpose,
                            renews=renews)
            uow.billing.add_order(other)
            uow.commit()
        assert renew(client, customer, old, other.id, 409)["error"] == "order_state"
