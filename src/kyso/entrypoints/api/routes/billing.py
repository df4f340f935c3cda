"""Billing for customers: the catalogue, orders and their payment URL, the certificates view;
and the gateway's IPN (``GET /api/v1/billing/vnpay/ipn``, answered ``{"RspCode", "Message"}``
with HTTP 200 whatever happens, as VNPay expects)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from kyso.billing.catalog import Product, vat_split
from kyso.billing.certificates import CertificateView
from kyso.billing.orders import Order, OrderStatus
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller, client_ip
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.api.routes.transactions import TransactionOut
from kyso.entrypoints.api.schemas import Strict
from kyso.entrypoints.bounds import Limit

__all__ = ["router"]

router = APIRouter(prefix="/api/v1/billing", tags=["billing"])


class ProductOut(BaseModel):
    code: str
    kind: str
    name: str
    price: int = Field(description="VND, 10% VAT included")
    price_before_vat: int
    vat: int
    plan: str | None
    term_months: int | None
    signatures: int | None
    citizen_only: bool
    once_per_account: bool

    @classmethod
    def of(cls, p: Product, lang: str) -> ProductOut:
        net, vat = vat_split(p.price)
        return cls(code=p.code, kind=p.kind.value, name=p.name_in(lang), price=p.price,
                   price_before_vat=net, vat=vat, plan=p.plan.value if p.plan else None,
                   term_months=p.term_months, signatures=p.signatures,
                   citizen_only=p.citizen_only, once_per_account=p.once_per_account)


class OrderIn(Strict):
    product: str = Field(min_length=1, max_length=40)
    credential_id: str | None = Field(default=None, min_length=1, max_length=80)
    renews: str | None = Field(default=None, min_length=1, max_length=80,
                               description="a certificate package renewing this certificate")


class OrderOut(BaseModel):
    id: str
    product: str
    name: str
    kind: str
    amount: int
    vat: int
    credential_id: str | None
    purpose: str  # registration, renewal, pack or standalone
    renews: str | None  # renewal: the certificate it renews
    status: str
    created_at: datetime
    expires_at: datetime
    ended_at: datetime | None
    gateway: str | None
    method: str | None
    transaction_no: str | None
    payment_url: str | None = None

    @classmethod
    def of(cls, o: Order, lang: str, payment_url: str | None = None) -> OrderOut:
        p = o.payment
        return cls(id=o.id, product=o.product_code, name=o.name_in(lang), kind=o.kind.value,
                   amount=o.amount, vat=o.vat, credential_id=o.credential_id,
                   purpose=o.purpose.value, renews=o.renews, status=o.status.value,
                   created_at=o.created_at, expires_at=o.expires_at,
                   ended_at=o.ended_at, gateway=p.gateway if p else None,
                   method=p.method.value if p else None,
                   transaction_no=p.transaction_no if p else None, payment_url=payment_url)


class PaymentOut(BaseModel):
    payment_url: str


class CertificateOut(BaseModel):
    credential_id: str
    subject: str
    serial: str
    status: str
    not_before: datetime
    not_after: datetime
    package: str | None
    plan: str | None
    term_start: datetime | None
    term_end: datetime | None
    available_signatures: int = Field(description="lượt ký khả dụng (counted signatures)")
    reserved_signatures: int
    consumed_signatures: int
    unlimited: bool
    unlimited_until: datetime | None

    @classmethod
    def of(cls, v: CertificateView, lang: str) -> CertificateOut:
        return cls(credential_id=v.credential_id, subject=v.subject, serial=v.serial,
                   status=v.status, not_before=v.not_before, not_after=v.not_after,
                   package=v.package_en if lang == "en" and v.package_en else v.package,
                   plan=v.plan.value if v.plan else None,
                   term_start=v.term_start, term_end=v.term_end,
                   available_signatures=v.available, reserved_signatures=v.reserved,
                   consumed_signatures=v.consumed, unlimited=v.unlimited,
                   unlimited_until=v.unlimited_until)


def _locale(request: Request) -> str:
    lang = request.headers.get("accept-language", "vi").strip().lower()
    return "en" if lang.startswith("en") else "vn"


@router.get("/catalog", response_model=list[ProductOut])
def catalog(request: Request, container: ContainerDep) -> list[ProductOut]:
    lang = language(request)
    return [ProductOut.of(p, lang) for p in container.catalog.products()]


@router.post("/orders", response_model=OrderOut, status_code=201)
def create_order(body: OrderIn, request: Request, caller: CurrentCaller,
                 container: ContainerDep) -> OrderOut:
    order = container.orders.create(caller.account.id, body.product, body.credential_id,
                                    renews=body.renews)
    url = None
    if order.status is OrderStatus.PENDING:
        url = container.orders.payment_url(caller.account.id, order.id,
                                           client_ip=client_ip(request) or "127.0.0.1",
                                           locale=_locale(request))
    return OrderOut.of(order, language(request), url)


@router.get("/orders", response_model=list[OrderOut])
def list_orders(request: Request, caller: CurrentCaller, container: ContainerDep,
                limit: Annotated[Limit, Query()] = 50) -> list[OrderOut]:
    lang = language(request)
    return [OrderOut.of(o, lang) for o in container.orders.orders(caller.account.id, limit)]


@router.get("/orders/{order_id}", response_model=OrderOut)
def get_order(order_id: str, request: Request, caller: CurrentCaller,
              container: ContainerDep) -> OrderOut:
    return OrderOut.of(container.orders.order(caller.account.id, order_id), language(request))


@router.post("/orders/{order_id}/payment", response_model=PaymentOut)
def payment_url(order_id: str, request: Request, caller: CurrentCaller,
                container: ContainerDep) -> PaymentOut:
    url = container.orders.payment_url(caller.account.id, order_id,
                                       client_ip=client_ip(request) or "127.0.0.1",
                                       locale=_locale(request))
    return PaymentOut(payment_url=url)


@router.get("/certificates", response_model=list[CertificateOut])
def certificates(request: Request, caller: CurrentCaller,
                 container: ContainerDep) -> list[CertificateOut]:
    lang = language(request)
    return [CertificateOut.of(v, lang) for v in container.certificates_view.for_account(
        caller.account.id)]


class RenewIn(Strict):
    order_id: str = Field(min_length=1, max_length=64,
                          description="a paid certificate package awaiting its certificate")


@router.post("/certificates/{credential_id}/renew", status_code=201,
             response_model=TransactionOut)
def renew(credential_id: str, body: RenewIn, request: Request, caller: CurrentCaller,
          container: ContainerDep) -> TransactionOut:
    """Gia hạn: the SmartOTP transaction that, confirmed, issues a new certificate with the
    same name, ID and place and applies the paid order to it."""
    return TransactionOut.of(container.renewal.request(caller.account.id, credential_id,
                                                       body.order_id), language(request))


@router.get("/vnpay/ipn", include_in_schema=False)
def vnpay_ipn(request: Request, container: ContainerDep) -> JSONResponse:
    params = {k: v for k, v in request.query_params.items() if len(v) <= 1000}
    return JSONResponse(container.payment_callbacks.ipn(params).body())
