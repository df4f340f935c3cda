"""Bought signatures are spent by signing; the report exports orders, revenue and usage;
the administrator's commands."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from datetime import timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kyso.billing.report import ReportKind
from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.cli.main import app
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.signing.errors import OutOfSignatures
from tests.integration.api.smartotp_helpers import enrol
from tests.integration.billing.conftest import Customer, order, pay

ECDSA = SignatureScheme.ECDSA_SHA256


def digests(n: int) -> list[bytes]:
    return [hashlib.sha256(os.urandom(16)).digest() for _ in range(n)]


def available(client: TestClient, who: Customer) -> tuple[int, int]:
    [cert] = client.get("/api/v1/billing/certificates", headers=who.headers).json()
    return cert["available_signatures"], cert["consumed_signatures"]


def test_buy_pay_then_sign_spends_the_pack(client: TestClient, shop: Container,
                                           customer: Customer, clock: ManualClock) -> None:
    clock.set(clock.now().replace(second=1))
    device = enrol(client, shop, customer.token, customer.account_id, clock)
    cred = customer.credential_id
    assert cred is not None
    early = digests(1)
    grant = shop.signing.authorize(customer.account_id, cred, early, HashAlgorithm.SHA256,
                                   device.code())
    with pytest.raises(OutOfSignatures):  # nothing bought yet
        shop.signing.sign_digests(customer.account_id, cred, grant.sad, early, ECDSA)
    placed = order(client, customer, "pack-10", cred)
    pay(client, placed["payment_url"], "atm", "succeed")
    assert available(client, customer) == (10, 0)
    clock.advance(30)
    batch = digests(3)
    grant = shop.signing.authorize(customer.account_id, cred, batch, HashAlgorithm.SHA256,
                                   device.code())
    shop.signing.sign_digests(customer.account_id, cred, grant.sad, batch, ECDSA)
    assert available(client, customer) == (7, 3)


def test_an_unlimited_package_signs_without_counting(client: TestClient, shop: Container,
                                                     customer: Customer,
                                                     clock: ManualClock) -> None:
    clock.set(clock.now().replace(second=1))
    device = enrol(client, shop, customer.token, customer.account_id, clock)
    cred = customer.credential_id
    assert cred is not None
    placed = order(client, customer, "unlimited-1y", cred)
    pay(client, placed["payment_url"], "credit_card", "succeed")
    clock.advance(30)
    batch = digests(5)
    grant = shop.signing.authorize(customer.account_id, cred, batch, HashAlgorithm.SHA256,
                                   device.code())
    shop.signing.sign_digests(customer.account_id, cred, grant.sad, batch, ECDSA)
    assert available(client, customer) == (0, 0)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_report(client: TestClient, shop: Container, customer: Customer,
                    clock: ManualClock) -> None:
    cred = customer.credential_id
    for product in ("pack-10", "pack-50", "unlimited-1y"):
        placed = order(client, customer, product, cred)
        pay(client, placed["payment_url"], "ewallet", "succeed")
        clock.advance(1)
    failed = order(client, customer, "pack-100", cred)
    pay(client, failed["payment_url"], "atm", "fail")
    orders = rows(shop.billing_report.csv(ReportKind.ORDERS))
    assert [(r["product"], r["status"], r["gateway"]) for r in orders] == [
        ("pack-10", "fulfilled", "sandbox"), ("pack-50", "fulfilled", "sandbox"),
        ("unlimited-1y", "fulfilled", "sandbox"), ("pack-100", "failed", "sandbox")]
    revenue = rows(shop.billing_report.csv(ReportKind.REVENUE))
    total = revenue[-1]
    assert total["date"] == "total" and int(total["orders"]) == 3
    assert {r["gateway"] for r in revenue[:-1]} == {"sandbox"}
    assert int(total["gross_vnd"]) == 55000 + 247500 + 1650000
    assert int(total["net_vnd"]) + int(total["vat_vnd"]) == int(total["gross_vnd"])
    [usage] = rows(shop.billing_report.csv(ReportKind.USAGE))
    assert (usage["credential_id"], usage["credited"], usage["plan"]) == (cred, "60", "unlimited")
    assert usage["unlimited_until"] != ""


def test_the_admin_commands(client: TestClient, shop: Container, customer: Customer,
                            settings: Settings, tmp_path: Path) -> None:
    env = {"KYSO_HOME": str(settings.home), "KYSO_DATABASE_URL": settings.sqlalchemy_url,
           "COLUMNS": "200"}
    placed = order(client, customer, "pack-10", customer.credential_id)
    pay(client, placed["payment_url"], "atm", "succeed")
    runner = CliRunner()
    listed = runner.invoke(app, ["catalog", "list", "--json"], env=env)
    assert listed.exit_code == 0 and '"pack-500"' in listed.output
    priced = runner.invoke(app, ["catalog", "price", "pack-500", "2000000"], env=env)
    assert priced.exit_code == 0, priced.output
    # the console's width was fixed when another test imported it: compare without wrapping
    assert "2.000.000" in "".join(priced.output.split())
    prices = {p.code: p.price for p in shop.catalog.products(active_only=False)}
    assert prices["pack-500"] == 2_000_000
    out = tmp_path / "orders.csv"
    report = runner.invoke(app, ["billing", "report", "orders", "-o", str(out)], env=env)
    assert report.exit_code == 0 and rows(out.read_text())[0]["order_id"] == placed["id"]
    bad = runner.invoke(app, ["billing", "report", "revenue", "--since", "yesterday"], env=env)
    assert bad.exit_code != 0
    data = tmp_path / "catalog.json"
    data.write_text('{"products": [{"code": "pack-7", "kind": "pack", "name": "Gói 7 lượt",'
                    ' "price": 7.5, "signatures": 7}]}')
    refused = runner.invoke(app, ["catalog", "load", str(data)], env=env)
    assert refused.exit_code == 1 and "price" in refused.output
    assert "pack-7" not in {p.code for p in shop.catalog.products(active_only=False)}


def test_the_usage_report_lists_credits_made_without_an_order(
        client: TestClient, shop: Container, customer: Customer, clock: ManualClock) -> None:
    cred = customer.credential_id
    assert cred is not None
    shop.quotas.credit(cred, 7, actor="admin")  # kyso quota credit
    [usage] = rows(shop.billing_report.csv(ReportKind.USAGE))
    assert (usage["credential_id"], usage["account_id"], usage["credited"], usage["available"],
            usage["package"]) == (cred, customer.account_id, "7", "7", "")
    later = clock.now() + timedelta(days=1)
    assert rows(shop.billing_report.csv(ReportKind.USAGE, since=later)) == []
