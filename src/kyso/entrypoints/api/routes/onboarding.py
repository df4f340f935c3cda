"""Registration for a certificate (docs/ONBOARDING.md): the customer's side.

    POST /onboarding/registration            the card's data, the package, the device
    GET  /onboarding/registration            where it stands (every state is visible)
    POST /onboarding/registration/payment    has the order been paid?
    POST /onboarding/registration/activation/resend, /activation {code}
    POST /onboarding/registration/ekyc       multipart: front, back, portrait (JPEG/PNG)
    GET  /onboarding/registration/contract   the contract PDF; POST …/contract/accept → a
         transaction to confirm with an OTP (POST /transactions/{id}/confirm)
    POST /onboarding/registration/acceptance → the acceptance record's transaction (SmartOTP);
    GET  /onboarding/registration/acceptance the signed record
    POST /onboarding/registration/resubmit, /cancel
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from kyso.config import Settings
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.errors import language
from kyso.entrypoints.api.routes.transactions import TransactionOut
from kyso.entrypoints.api.schemas import Strict
from kyso.onboarding.form import RegistrationForm
from kyso.onboarding.identity import IdType, Sex
from kyso.onboarding.model import Registration

__all__ = ["EKYC_PATH", "RegistrationOut", "body_limits", "image_parts", "router"]

router = APIRouter(prefix="/api/v1/onboarding", tags=["onboarding"])
EKYC_PATH = "/api/v1/onboarding/registration/ekyc"
_PARTS = ("front", "back", "portrait")


def body_limits(settings: Settings) -> dict[str, int]:
    return {EKYC_PATH: 3 * 1024 * 1024 + 64 * 1024}


class RegistrationIn(Strict):
    full_name: str = Field(max_length=100)
    birth_date: date
    sex: Sex
    id_type: IdType
    id_number: str = Field(max_length=20)
    issue_date: date
    expiry_date: date | None = None
    email: str = Field(max_length=254)
    phone: str = Field(max_length=20)
    address: str = Field(max_length=200)
    province: str = Field(max_length=128)
    locality: str = Field(max_length=128)
    package: str = Field(max_length=40)
    device_id: str = Field(max_length=128)
    mrz: str | None = Field(default=None, max_length=100)


class RegistrationOut(BaseModel):
    id: str
    state: str
    state_vi: str
    full_name: str
    birth_date: date
    sex: str
    id_type: str
    id_number: str
    package: str
    order_id: str | None
    activation_expires_at: datetime | None
    ekyc_attempts: int
    checks: dict[str, Any]
    review_reason: str | None
    resubmittable: bool
    credential_id: str | None
    contract_seal: str | None  # sealed | pending (accepted, kyso's seal to be made) | null
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, r: Registration) -> RegistrationOut:
        o, a, rv = r.owner, r.activation, r.review
        return cls(id=r.id, state=r.state.value, state_vi=r.state.vi, full_name=o.full_name,
                   birth_date=o.birth_date, sex=o.sex.value, id_type=o.document.kind.value,
                   id_number=o.document.number, package=r.package, order_id=r.order_id,
                   activation_expires_at=a.expires_at if a else None,
                   ekyc_attempts=r.ekyc_attempts, checks=r.checks,
                   review_reason=rv.reason if rv else None,
                   resubmittable=bool(rv and rv.resubmittable),
                   credential_id=r.credential_id, contract_seal=r.contract_seal,
                   created_at=r.created_at,
                   updated_at=r.updated_at)


class CodeIn(Strict):
    code: str = Field(min_length=1, max_length=10)


class AcceptanceOut(BaseModel):
    document_id: str
    transaction: TransactionOut


@router.post("/registration", status_code=201, response_model=RegistrationOut)
def register(body: RegistrationIn, caller: CurrentCaller,
             container: ContainerDep) -> RegistrationOut:
    form = RegistrationForm(**body.model_dump())
    return RegistrationOut.of(container.registrations.start(caller.account.id, form))


@router.get("/registration", response_model=RegistrationOut)
def mine(caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    return RegistrationOut.of(container.registrations.mine(caller.account.id))


@router.post("/registration/payment", response_model=RegistrationOut)
def payment(caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    return RegistrationOut.of(container.registrations.check_payment(caller.account.id))


@router.post("/registration/payment/order", response_model=RegistrationOut)
def payable_order(caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    """An order to pay now: the registration's own, or a new one after a failed, cancelled
    or expired payment (the form is not typed again)."""
    return RegistrationOut.of(container.registrations.payable(caller.account.id))


@router.post("/registration/activation/resend", response_model=RegistrationOut)
def resend(caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    return RegistrationOut.of(container.registrations.resend_code(caller.account.id))


@router.post("/registration/activation", response_model=RegistrationOut)
def activate(body: CodeIn, caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    return RegistrationOut.of(container.registrations.activate(caller.account.id, body.code))


@router.post("/registration/ekyc", response_model=RegistrationOut)
async def ekyc(request: Request, caller: CurrentCaller,
               container: ContainerDep) -> RegistrationOut:
    """The card's front and back and a portrait, as multipart parts of those names."""
    files = await image_parts(request)
    done = await run_in_threadpool(container.ekyc.submit, caller.account.id, files["front"],
                                   files["back"], files["portrait"])
    return RegistrationOut.of(done)


async def image_parts(request: Request) -> dict[str, bytes]:
    """The ``front``, ``back`` and ``portrait`` parts of a multipart body (identity
    recovery's images come the same way)."""
    if request.headers.get("content-type", "").split(";")[0].strip() != "multipart/form-data":
        raise HTTPException(415, "Content-Type must be multipart/form-data")
    form = await request.form(max_files=3, max_fields=3)
    files = {}
    for name in _PARTS:
        part = form.get(name)
        if not isinstance(part, UploadFile):
            raise HTTPException(400, f"multipart/form-data needs a {name!r} part")
        files[name] = await part.read()
    await form.close()
    return files


@router.get("/registration/contract", response_class=Response)
def contract(caller: CurrentCaller, container: ContainerDep) -> Response:
    return _pdf(container.contract.pdf(caller.account.id), "hop-dong.pdf")


@router.post("/registration/contract/accept", status_code=201, response_model=TransactionOut)
def accept_contract(request: Request, caller: CurrentCaller,
                    container: ContainerDep) -> TransactionOut:
    return TransactionOut.of(container.contract.accept(caller.account.id), language(request))


@router.post("/registration/acceptance", status_code=201, response_model=AcceptanceOut)
def acceptance(request: Request, caller: CurrentCaller, container: ContainerDep) -> AcceptanceOut:
    document, challenge = container.acceptance.prepare(caller.account.id)
    return AcceptanceOut(document_id=document.id,
                         transaction=TransactionOut.of(challenge, language(request)))


@router.get("/registration/acceptance", response_class=Response)
def acceptance_record(caller: CurrentCaller, container: ContainerDep) -> Response:
    return _pdf(container.acceptance.record(caller.account.id), "bien-ban-nghiem-thu.pdf")


@router.post("/registration/resubmit", response_model=RegistrationOut)
def resubmit(caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    return RegistrationOut.of(container.registrations.resubmit(caller.account.id))


@router.post("/registration/cancel", response_model=RegistrationOut)
def cancel(caller: CurrentCaller, container: ContainerDep) -> RegistrationOut:
    return RegistrationOut.of(container.registrations.cancel(caller.account.id))


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
