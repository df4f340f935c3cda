"""Payment pages for the browser: the return page after the gateway (display only; the IPN
decides), and — when ``payment_gateway = "sandbox"`` — the sandbox's hosted payment page.

The sandbox page checks the signed payment URL as VNPay would, lets the customer pick a
method and an outcome, then sends the signed result to kyso's IPN handler (server to server:
the same :meth:`PaymentCallbacks.ipn` the ``/api/v1/billing/vnpay/ipn`` endpoint calls,
in-process) before redirecting the browser to ``vnp_ReturnUrl`` with the same parameters.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kyso.adapters.payments.sandbox import PAY_PATH, Choice, SandboxMethod
from kyso.billing.catalog import ProductKind
from kyso.billing.orders import Order, OrderPurpose, OrderStatus
from kyso.billing.payment import BadCallback, BadSignature, PaymentOutcome
from kyso.billing.receipt import vnd
from kyso.entrypoints.api.deps import ContainerDep

__all__ = ["return_router", "sandbox_router"]

log = logging.getLogger("kyso.billing")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
return_router = APIRouter(include_in_schema=False)
sandbox_router = APIRouter(include_in_schema=False)
_SUBMIT = PAY_PATH.rsplit("/", 1)[0] + "/pay"
_STATUS_VI = {OrderStatus.PENDING: "chờ thanh toán", OrderStatus.FULFILLED: "đã hoàn tất",
              OrderStatus.AWAITING_ISSUANCE: "đã thanh toán, chờ cấp chứng thư số",
              OrderStatus.FAILED: "thanh toán không thành công",
              OrderStatus.CANCELLED: "đã hủy", OrderStatus.EXPIRED: "đã hết hạn"}


def _vnp(items: list[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in items if k.startswith("vnp_") and len(v) <= 1000}


@return_router.get("/billing/vnpay/return", response_class=HTMLResponse)
def payment_return(request: Request, container: ContainerDep) -> Response:
    try:
        result, order = container.payment_callbacks.returned(
            _vnp(list(request.query_params.items())))
    except (BadSignature, BadCallback):
        return templates.TemplateResponse(request, "payment_return.html", {
            "error": "Chữ ký không hợp lệ (invalid signature)."}, status_code=400)
    paid = result.outcome is PaymentOutcome.PAID
    headline = {PaymentOutcome.PAID: "Thanh toán thành công.",
                PaymentOutcome.CANCELLED: "Quý khách đã hủy giao dịch.",
                PaymentOutcome.FAILED: "Thanh toán không thành công."}[result.outcome]
    status = _STATUS_VI[order.status] if order else "không tìm thấy đơn hàng"
    return templates.TemplateResponse(request, "payment_return.html", {
        "paid": paid, "headline": headline, "order_id": result.order_id,
        "amount": vnd(result.amount), "response_code": result.response_code, "status": status,
        **_back(order, paid)})


def _back(order: Order | None, paid: bool) -> dict[str, str]:
    """Back to the step the customer was on, as the order recorded when it was created: a
    renewal's package to the renewal (its confirmation comes next), a registration's to the
    registration (it moves on, or offers to pay again), a package bought on its own to the
    orders (the template's default)."""
    if order is None or order.kind is not ProductKind.CERTIFICATE or order.credential_id:
        return {}
    if order.purpose is OrderPurpose.RENEWAL:
        label = ("Tiếp tục gia hạn chứng thư số" if paid
                 else "Quay lại gia hạn để thanh toán lại")
        return {"back_href": "/#renew", "back_label": label}
    if order.purpose is OrderPurpose.REGISTRATION:
        label = ("Tiếp tục đăng ký chứng thư số" if paid
                 else "Quay lại hồ sơ đăng ký để thanh toán lại")
        return {"back_href": "/#register", "back_label": label}
    return {}


@sandbox_router.get(PAY_PATH, response_class=HTMLResponse)
def sandbox_page(request: Request, container: ContainerDep) -> Response:
    try:
        payment = container.sandbox_bank.open(_vnp(list(request.query_params.items())))
    except (BadSignature, BadCallback) as exc:
        reason = "Sai chữ ký (invalid signature)" if isinstance(exc, BadSignature) else str(exc)
        return templates.TemplateResponse(request, "sandbox_pay.html", {
            "error": f"Yêu cầu thanh toán không hợp lệ: {reason}."}, status_code=400)
    return templates.TemplateResponse(request, "sandbox_pay.html", {
        "payment": payment, "amount": vnd(payment.amount), "action": _SUBMIT,
        "expired": payment.expired(container.clock.now())})


@sandbox_router.post(_SUBMIT)
async def sandbox_pay(request: Request, container: ContainerDep) -> Response:
    form = await request.form()
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    choice, method = dict(fields).get("choice", ""), dict(fields).get("method", "")
    try:
        payment = container.sandbox_bank.open(_vnp(fields))
        picked = SandboxMethod(method), Choice(choice)
    except (BadSignature, BadCallback, ValueError):
        return templates.TemplateResponse(request, "sandbox_pay.html", {
            "error": "Yêu cầu thanh toán không hợp lệ."}, status_code=400)
    result = container.sandbox_bank.result(payment, *picked)
    answer = await run_in_threadpool(container.payment_callbacks.ipn, result)  # IPN first
    log.info("sandbox IPN for %s answered %s", payment.txn_ref, answer.value)
    sep = "&" if "?" in payment.return_url else "?"
    return RedirectResponse(f"{payment.return_url}{sep}{urlencode(result)}", status_code=303)
