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
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from kyso.adapters.payments.sandbox import PAY_PATH, Choice, SandboxMethod
from kyso.billing.catalog import ProductKind
from kyso.billing.orders import Order, OrderPurpose
from kyso.billing.payment import BadCallback, BadSignature, CallbackResult, PaymentOutcome
from kyso.billing.receipt import vnd
from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import ContainerDep
from kyso.entrypoints.web.payment_words import WORDS, language, result_sentence

__all__ = ["return_router", "sandbox_router"]

log = logging.getLogger("kyso.billing")
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
return_router = APIRouter(include_in_schema=False)
sandbox_router = APIRouter(include_in_schema=False)
_SUBMIT = PAY_PATH.rsplit("/", 1)[0] + "/pay"


def _vnp(items: list[tuple[str, str]]) -> dict[str, str]:
    return {k: v for k, v in items if k.startswith("vnp_") and len(v) <= 1000}


@return_router.get("/billing/vnpay/return", response_class=HTMLResponse)
def payment_return(request: Request, container: ContainerDep) -> Response:
    w = _words(request)
    try:
        result, order = container.payment_callbacks.returned(
            _vnp(list(request.query_params.items())))
    except (BadSignature, BadCallback):
        return _page(request, "payment_return.html", w, error=w["invalid_signature"],
                     status_code=400)
    paid = result.outcome is PaymentOutcome.PAID
    status = w[f"status_{order.status.value}"] if order else w["no_order"]
    back: dict[str, Any] = _back(order, paid, w)
    return _page(request, "payment_return.html", w, paid=paid,
                 headline=w[f"outcome_{result.outcome.value}"], order_id=result.order_id,
                 amount=vnd(result.amount), reason=_reason(result, container, w),
                 status=status, **back)


def _reason(result: CallbackResult, container: Container, w: dict[str, str]) -> str | None:
    """Why a payment failed, in a sentence (never the gateway's code); nothing for a payment
    made or cancelled by the customer (the headline says it)."""
    if result.outcome is not PaymentOutcome.FAILED:
        return None
    said = container.support_desk.fill(result_sentence(result.response_code))
    return said.pick(w["lang_code"])


def _words(request: Request) -> dict[str, str]:
    return dict(WORDS[language(request.query_params)])


def _page(request: Request, name: str, w: dict[str, str], *, status_code: int = 200,
          **values: Any) -> Response:
    """A payment page in the request's language, with a link to the same page in the other."""
    other = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    switch = f"{request.url.path}?{urlencode([*other, ('lang', w['other_code'])])}"
    return templates.TemplateResponse(request, name, {"w": w, "switch": switch, **values},
                                      status_code=status_code)


def _back(order: Order | None, paid: bool, w: dict[str, str]) -> dict[str, str]:
    """Back to the step the customer was on, as the order recorded when it was created: a
    renewal's package to the renewal (its confirmation comes next), a registration's to the
    registration (it moves on, or offers to pay again), a package bought on its own to the
    orders (the template's default)."""
    if order is None or order.kind is not ProductKind.CERTIFICATE or order.credential_id:
        return {}
    if order.purpose is OrderPurpose.RENEWAL:
        return {"back_href": "/#renew", "back_label": w["renew_paid" if paid else "renew_again"]}
    if order.purpose is OrderPurpose.REGISTRATION:
        return {"back_href": "/#register",
                "back_label": w["register_paid" if paid else "register_again"]}
    return {}


@sandbox_router.get(PAY_PATH, response_class=HTMLResponse)
def sandbox_page(request: Request, container: ContainerDep) -> Response:
    w = _words(request)
    try:
        payment = container.sandbox_bank.open(_vnp(list(request.query_params.items())))
    except (BadSignature, BadCallback) as exc:
        log.info("sandbox payment page refused: %s", exc)
        wrong = "bad_signature" if isinstance(exc, BadSignature) else "invalid_request"
        return _page(request, "sandbox_pay.html", w, error=w[wrong], status_code=400)
    return _page(request, "sandbox_pay.html", w, payment=payment, amount=vnd(payment.amount),
                 action=_SUBMIT, expired=payment.expired(container.clock.now()))


@sandbox_router.post(_SUBMIT)
async def sandbox_pay(request: Request, container: ContainerDep) -> Response:
    form = await request.form()
    fields = [(k, v) for k, v in form.multi_items() if isinstance(v, str)]
    choice, method = dict(fields).get("choice", ""), dict(fields).get("method", "")
    try:
        payment = container.sandbox_bank.open(_vnp(fields))
        picked = SandboxMethod(method), Choice(choice)
    except (BadSignature, BadCallback, ValueError):
        w = dict(WORDS[language(dict(fields))])
        return _page(request, "sandbox_pay.html", w, error=w["invalid_request"], status_code=400)
    result = container.sandbox_bank.result(payment, *picked)
    answer = await run_in_threadpool(container.payment_callbacks.ipn, result)  # IPN first
    log.info("sandbox IPN for %s answered %s", payment.txn_ref, answer.value)
    sep = "&" if "?" in payment.return_url else "?"
    back = {**result, **({"lang": "en"} if language(dict(fields)) == "en" else {})}
    return RedirectResponse(f"{payment.return_url}{sep}{urlencode(back)}", status_code=303)
