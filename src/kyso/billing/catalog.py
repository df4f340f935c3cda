"""The catalogue: certificate packages and signature packs, priced in VND with 10% VAT included.

Products are data (``kyso catalog load`` reads :data:`DEFAULT_CATALOG` or any JSON file of the
same shape), never code. A *certificate package* is either ``unlimited`` (no signature is
counted during its term) or ``per_signature`` (a certificate without signatures: quota comes
from packs); its term is 1, 2 or 3 years. A *pack* adds a number of signatures to one
certificate. ``citizen_only`` products (the free 1-year certificate) need a 12-digit citizen
ID number (CCCD) on the account; ``once_per_account`` products can be bought once.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from enum import StrEnum
from importlib import resources
from typing import Any

__all__ = ["DEFAULT_CATALOG", "VAT_PERCENT", "Plan", "Product", "ProductKind", "parse_products",
           "vat_split"]

VAT_PERCENT = 10
MIN_PRICE, MAX_PRICE = 5_000, 999_999_999  # VND: what VNPay accepts (free is 0)
DEFAULT_CATALOG = "default_catalog.json"
_CODE = re.compile(r"[a-z0-9][a-z0-9-]{1,39}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ProductKind(StrEnum):
    CERTIFICATE = "certificate"
    PACK = "pack"


class Plan(StrEnum):
    UNLIMITED = "unlimited"          # "không giới hạn lượt ký"
    PER_SIGNATURE = "per_signature"  # "theo lượt ký"


@dataclass(frozen=True)
class Product:
    code: str
    kind: ProductKind
    name: str
    price: int  # VND, 10% VAT included
    plan: Plan | None = None  # certificate packages only
    term_months: int | None = None  # certificate packages only: 12, 24 or 36
    signatures: int | None = None  # packs only
    citizen_only: bool = False
    once_per_account: bool = False
    active: bool = True
    position: int = 0
    name_en: str | None = None  # the English name; without one English readers see ``name``

    def __post_init__(self) -> None:
        if not _CODE.fullmatch(self.code):
            raise ValueError("a product code is 2 to 40 lower-case letters, digits or '-'")
        for name in (self.name, self.name if self.name_en is None else self.name_en):
            if not name.strip() or len(name) > 200 or _CONTROL.search(name):
                raise ValueError("a product name has 1 to 200 printable characters")
        if self.price != 0 and not MIN_PRICE <= self.price <= MAX_PRICE:
            raise ValueError(f"a price is 0 (free) or {MIN_PRICE:,} to {MAX_PRICE:,} VND")
        if self.kind is ProductKind.CERTIFICATE:
            if self.plan is None or self.term_months not in (12, 24, 36):
                raise ValueError("a certificate package has a plan and a term of 12, 24 or 36 "
                                 "months")
            if self.signatures is not None:
                raise ValueError("a certificate package carries no signatures (packs do)")
        elif (self.plan is not None or self.term_months is not None
              or self.signatures is None or not 1 <= self.signatures <= 1_000_000):
            raise ValueError("a pack has 1 to 1,000,000 signatures and no plan or term")

    @property
    def free(self) -> bool:
        return self.price == 0

    def name_in(self, lang: str) -> str:
        """The name in ``lang`` (``"en"`` or Vietnamese)."""
        return self.name_en if lang == "en" and self.name_en else self.name

    @property
    def vat(self) -> int:
        return vat_split(self.price)[1]


def vat_split(gross: int) -> tuple[int, int]:
    """``(net, vat)`` of a VAT-included price, rounded to the dong: net + vat == gross."""
    net = (gross * 100 + (100 + VAT_PERCENT) // 2) // (100 + VAT_PERCENT)
    return net, gross - net


def parse_products(data: Any) -> list[Product]:
    """Products from JSON data ``{"products": [...]}``; raises ValueError naming the bad one."""
    if not isinstance(data, dict) or not isinstance(data.get("products"), list):
        raise ValueError('a catalogue is {"products": [...]}')
    products = []
    for n, item in enumerate(data["products"]):
        try:
            products.append(_product(item, n))
        except (TypeError, ValueError, KeyError) as exc:
            raise ValueError(f"product #{n + 1}: {exc}") from None
    codes = [p.code for p in products]
    if len(set(codes)) != len(codes):
        raise ValueError("product codes must be distinct")
    return products


def default_products() -> list[Product]:
    text = resources.files("kyso.billing").joinpath(DEFAULT_CATALOG).read_text("utf-8")
    return parse_products(json.loads(text))


__all__ += ["default_products"]

_FIELDS = {"code", "kind", "name", "name_en", "price", "plan", "term_months", "signatures",
           "citizen_only", "once_per_account", "active"}


def _product(item: Any, position: int) -> Product:
    if not isinstance(item, dict):
        raise TypeError("a product is an object")
    unknown = set(item) - _FIELDS
    if unknown:
        raise ValueError(f"unknown fields {sorted(unknown)}")
    for key in ("price", "term_months", "signatures"):
        if item.get(key) is not None and type(item[key]) is not int:
            raise TypeError(f"{key} is a whole number")
    plan = item.get("plan")
    name_en = item.get("name_en")
    return Product(code=str(item["code"]), kind=ProductKind(item["kind"]), name=str(item["name"]),
                   name_en=str(name_en) if name_en is not None else None, price=item["price"],
                   plan=Plan(plan) if plan is not None else None,
                   term_months=item.get("term_months"), signatures=item.get("signatures"),
                   citizen_only=bool(item.get("citizen_only", False)),
                   once_per_account=bool(item.get("once_per_account", False)),
                   active=bool(item.get("active", True)), position=position)
