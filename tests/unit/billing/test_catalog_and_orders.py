"""The catalogue's data rules, VAT, order transitions and terms — pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest

from kyso.billing.catalog import (
    Plan,
    Product,
    ProductKind,
    default_products,
    parse_products,
    vat_split,
)
from kyso.billing.errors import OrderStateConflict
from kyso.billing.orders import Order, OrderPurpose, OrderStatus, Payment, PaymentMethod
from kyso.billing.provisioning import add_months

NOW = datetime(2026, 1, 31, 12, tzinfo=UTC)


@pytest.mark.parametrize("gross", [0, 1, 10, 11, 55000, 247500, 1650000, 999_999_999])
def test_vat_splits_a_gross_price_exactly(gross: int) -> None:
    net, vat = vat_split(gross)
    assert net + vat == gross
    assert abs(Fraction(net) - Fraction(gross * 100, 110)) <= Fraction(1, 2)


def test_the_default_catalogue_is_valid_data() -> None:
    products = {p.code: p for p in default_products()}
    assert {"unlimited-1y", "unlimited-2y", "unlimited-3y", "per-signature-1y", "pack-10",
            "pack-50", "pack-100", "pack-500", "citizen-free-1y"} <= set(products)
    free = products["citizen-free-1y"]
    assert free.free and free.citizen_only and free.once_per_account
    assert free.plan is Plan.PER_SIGNATURE and free.term_months == 12
    assert products["unlimited-1y"].vat == 150000


@pytest.mark.parametrize(("item", "words"), [
    ({"code": "X", "kind": "pack", "name": "n", "price": 5000, "signatures": 1}, "code"),
    ({"code": "p1", "kind": "pack", "name": "n", "price": -1, "signatures": 1}, "price"),
    ({"code": "p1", "kind": "pack", "name": "n", "price": 4999, "signatures": 1}, "5,000"),
    ({"code": "p1", "kind": "pack", "name": "n", "price": 10**9, "signatures": 1}, "price"),
    ({"code": "p1", "kind": "pack", "name": "n", "price": 1.5, "signatures": 1}, "whole"),
    ({"code": "p1", "kind": "pack", "name": "n", "price": 5000}, "signatures"),
    ({"code": "c1", "kind": "certificate", "name": "n", "price": 5000, "plan": "unlimited",
      "term_months": 18}, "term"),
    ({"code": "c1", "kind": "certificate", "name": "n", "price": 5000, "plan": "gold",
      "term_months": 12}, "gold"),
    ({"code": "p1", "kind": "pack", "name": "", "price": 5000, "signatures": 1}, "name"),
    ({"code": "p1", "kind": "pack", "name": "n", "price": 5000, "signatures": 1, "x": 1},
     "unknown"),
])
def test_bad_catalogue_data_names_the_product(item: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match="product #1") as info:
        parse_products({"products": [item]})
    assert words in str(info.value)


def test_codes_are_distinct() -> None:
    item = {"code": "p1", "kind": "pack", "name": "n", "price": 5000, "signatures": 1}
    with pytest.raises(ValueError, match="distinct"):
        parse_products({"products": [item, item]})


PACK = Product("pack-10", ProductKind.PACK, "Gói 10 lượt ký", 55000, signatures=10)
CERT = Product("unlimited-1y", ProductKind.CERTIFICATE, "Không giới hạn", 1650000,
               plan=Plan.UNLIMITED, term_months=12)


def test_transitions_happen_once() -> None:
    order = Order.of("O1", "a", PACK, "cred", NOW, NOW + timedelta(minutes=15))
    paid = order.paid(Payment(PaymentMethod.ATM, "1"), NOW)
    assert paid.status is OrderStatus.FULFILLED and paid.status.paid
    for step in (lambda: paid.paid(Payment(PaymentMethod.ATM), NOW),
                 lambda: paid.declined(Payment(PaymentMethod.ATM), NOW, cancelled=True),
                 lambda: paid.expired(NOW), lambda: paid.issued("cred")):
        with pytest.raises(OrderStateConflict):
            step()
    waiting = Order.of("O2", "a", CERT, None, NOW, NOW + timedelta(minutes=15)).paid(
        Payment(PaymentMethod.FREE), NOW)
    assert waiting.status is OrderStatus.AWAITING_ISSUANCE
    assert waiting.issued("cred").status is OrderStatus.FULFILLED
    with pytest.raises(ValueError, match="pack"):
        Order.of("O3", "a", PACK, None, NOW, NOW + timedelta(minutes=1))


@pytest.mark.parametrize(("start", "months", "end"), [
    (datetime(2026, 1, 31, tzinfo=UTC), 1, datetime(2026, 2, 28, tzinfo=UTC)),
    (datetime(2024, 2, 29, tzinfo=UTC), 12, datetime(2025, 2, 28, tzinfo=UTC)),
    (datetime(2026, 11, 22, 10, tzinfo=UTC), 36, datetime(2029, 11, 22, 10, tzinfo=UTC)),
    (datetime(2026, 12, 15, tzinfo=UTC), 13, datetime(2028, 1, 15, tzinfo=UTC)),
])
def test_terms_are_calendar_months(start: datetime, months: int, end: datetime) -> None:
    assert add_months(start, months) == end


def test_an_order_records_what_it_is_for() -> None:
    later = NOW + timedelta(minutes=15)
    assert Order.of("P", "a", PACK, "cred", NOW, later).purpose is OrderPurpose.PACK
    assert Order.of("S", "a", CERT, None, NOW, later).purpose is OrderPurpose.STANDALONE
    renewal = Order.of("R", "a", CERT, None, NOW, later, OrderPurpose.RENEWAL, "cred")
    assert (renewal.purpose, renewal.renews) == (OrderPurpose.RENEWAL, "cred")
    paid = renewal.paid(Payment(PaymentMethod.ATM), NOW)  # kept through the transitions
    assert (paid.purpose, paid.issued("new").renews) == (OrderPurpose.RENEWAL, "cred")
    with pytest.raises(ValueError, match="names the certificate"):
        Order.of("X", "a", CERT, None, NOW, later, OrderPurpose.RENEWAL)
    with pytest.raises(ValueError, match="only one, is for signatures"):
        Order.of("Y", "a", CERT, None, NOW, later, OrderPurpose.PACK)
