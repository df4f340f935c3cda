"""Transactions confirmed with a code bound to their details: the contact change and the
SmartOTP PIN change."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from kyso.descriptions import describe
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.api.schemas import Strict
from kyso.otp.token import Challenge

router = APIRouter(prefix="/api/v1", tags=["transactions"])


class TransactionOut(BaseModel):
    id: str
    kind: str
    details: dict[str, str]
    method: str
    question: str | None
    ocra_suite: str | None
    status: str
    created_at: datetime
    expires_at: datetime
    description: str = ""  # in the request's language; ``details`` are the bound originals

    @classmethod
    def of(cls, c: Challenge, lang: str = "vi") -> TransactionOut:
        return cls(id=c.id, kind=c.kind, details=dict(c.details), method=c.method.value,
                   question=c.question, ocra_suite=c.ocra_suite, status=c.status.value,
                   created_at=c.created_at, expires_at=c.expires_at,
                   description=describe(c.kind, c.details, lang))


class ContactChangeIn(Strict):
    phone: str | None = Field(default=None, max_length=20)
    email: str | None = Field(default=None, max_length=254)


class ConfirmIn(Strict):
    otp: str = Field(min_length=1, max_length=12)


@router.post("/me/contact-change", status_code=201, response_model=TransactionOut)
def contact_change(body: ContactChangeIn, caller: CurrentCaller,
                   container: ContainerDep) -> TransactionOut:
    return TransactionOut.of(
        container.contact_change.request(caller.account.id, body.phone, body.email))


@router.post("/smartotp/pin-change", status_code=201, response_model=TransactionOut)
def pin_change(caller: CurrentCaller, container: ContainerDep) -> TransactionOut:
    """A one-time challenge the app answers with a code made with the old SmartOTP PIN."""
    return TransactionOut.of(container.pin_change.request(caller.account.id))


@router.get("/transactions", response_model=list[TransactionOut])
def pending(request: Request, caller: CurrentCaller, container: ContainerDep,
            status: str = Query("pending", pattern="^pending$")) -> list[TransactionOut]:
    lang = language(request)
    return [TransactionOut.of(c, lang)
            for c in container.transactions.pending(caller.account.id)]


@router.get("/transactions/{transaction_id}", response_model=TransactionOut)
def one(transaction_id: str, request: Request, caller: CurrentCaller,
        container: ContainerDep) -> TransactionOut:
    return TransactionOut.of(container.transactions.get(caller.account.id, transaction_id),
                             language(request))


@router.post("/transactions/{transaction_id}/confirm", response_model=TransactionOut)
def confirm(transaction_id: str, body: ConfirmIn, caller: CurrentCaller,
            container: ContainerDep) -> TransactionOut:
    return TransactionOut.of(
        container.transactions.confirm(caller.account.id, transaction_id, body.otp))


@router.post("/transactions/{transaction_id}/reject", response_model=TransactionOut)
def reject(transaction_id: str, caller: CurrentCaller, container: ContainerDep) -> TransactionOut:
    return TransactionOut.of(container.transactions.reject(caller.account.id, transaction_id))
