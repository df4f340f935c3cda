"""Both secrets lost: the customer's identity re-check (no login) and the staff's decisions.

    POST /api/v1/recovery/identity {login}                  → 202 {id, expires_at} (alike for
                                                              an unknown login)
    POST /api/v1/recovery/identity/{id}/phone {code}        → {token, expires_at}
    GET  /api/v1/recovery/identity/{id}      X-Recovery-Token → the case's state (and reason)
    POST /api/v1/recovery/identity/images    X-Recovery-Case, X-Recovery-Token, multipart
                                              front, back, portrait → the case (under review)
    POST /api/v1/recovery/identity/complete {login, code, new_password, new_pin} → 204
    GET  /api/v1/ra/recoveries[?state=], GET …/{id}, GET …/{id}/images/{which},
    POST …/{id}/approve, POST …/{id}/reject {reason}   (ra_officer, support, admin)

The token never goes into a URL. The images' path is fixed (the case is named by a header)
so that the body-size middleware can check the case and token before reading a large body.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import Scope

from kyso.accounts.identity_recovery import CaseView, CaseWrongState
from kyso.accounts.recovery_cases import Case, CaseState
from kyso.bootstrap import Container
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller, client_ip
from kyso.entrypoints.api.limits import Gate
from kyso.entrypoints.api.routes.onboarding import image_parts
from kyso.entrypoints.api.routes.ra import CaseOut, case_out
from kyso.entrypoints.api.schemas import Strict
from kyso.errors import KysoError, Text

__all__ = ["IMAGES_PATH", "body_limits", "router", "upload_gate"]

router = APIRouter(prefix="/api/v1", tags=["accounts"])
IMAGES_PATH = "/api/v1/recovery/identity/images"
Token = Annotated[str, Header(alias="X-Recovery-Token", min_length=1, max_length=128)]
CaseId = Annotated[str, Header(alias="X-Recovery-Case", min_length=1, max_length=64)]


def body_limits() -> dict[str, int]:
    return {IMAGES_PATH: 3 * 1024 * 1024 + 64 * 1024}


def upload_gate(container: Container, otherwise: Gate) -> Gate:
    """The body-size gate: the images' path needs a live case and its token; any other
    large-body path asks ``otherwise`` (the bearer session)."""

    async def gate(scope: Scope) -> bool:
        if scope.get("path") != IMAGES_PATH:
            return await otherwise(scope)
        headers = dict(scope.get("headers", []))
        case_id = headers.get(b"x-recovery-case", b"").decode("latin-1")
        token = headers.get(b"x-recovery-token", b"").decode("latin-1")
        try:
            case = await run_in_threadpool(container.identity_recovery.status, case_id, token)
        except KysoError:
            return False
        return case.state is CaseState.AWAITING_IMAGES

    return gate


class OpenIn(Strict):
    login: str = Field(min_length=1, max_length=254)


class OpenedOut(BaseModel):
    id: str
    expires_at: datetime


class PhoneIn(Strict):
    code: str = Field(min_length=1, max_length=12)


class TokenOut(BaseModel):
    token: str
    expires_at: datetime


class StatusOut(BaseModel):
    id: str
    state: str
    state_vi: str
    state_en: str
    expires_at: datetime
    reason: str | None  # why an officer rejected it
    image_attempts_left: int

    @classmethod
    def of(cls, case: Case, attempts: int) -> StatusOut:
        return cls(id=case.id, state=case.state.value, state_vi=case.state.vi,
                   state_en=case.state.en, expires_at=case.expires_at, reason=case.reason,
                   image_attempts_left=max(attempts - case.image_attempts, 0))


class CompleteIn(Strict):
    login: str = Field(min_length=1, max_length=254)
    code: str = Field(min_length=1, max_length=12)
    new_password: str = Field(min_length=1, max_length=128)
    new_pin: str = Field(min_length=1, max_length=12)


@router.post("/recovery/identity", status_code=202, response_model=OpenedOut)
def open_case(body: OpenIn, request: Request, container: ContainerDep) -> OpenedOut:
    """A case, and an SMS code to the registered phone; the same answer for an unknown
    login."""
    opened = container.identity_recovery.open(body.login, client_ip(request))
    return OpenedOut(id=opened.case_id, expires_at=opened.expires_at)


@router.post("/recovery/identity/complete", status_code=204)
def complete(body: CompleteIn, request: Request, container: ContainerDep) -> Response:
    """The approval's code sets a new password and a new account PIN; every session ends."""
    container.identity_recovery.complete(body.login, body.code, body.new_password,
                                         body.new_pin, client_ip(request))
    return Response(status_code=204)


@router.post(IMAGES_PATH.removeprefix("/api/v1"), response_model=StatusOut)
async def images(request: Request, case_id: CaseId, token: Token,
                 container: ContainerDep) -> StatusOut:
    """The ID card's front and back and a portrait, as multipart parts of those names."""
    service = container.identity_recovery
    case = await run_in_threadpool(service.status, case_id, token)  # before the body is read
    if case.state is not CaseState.AWAITING_IMAGES:
        raise CaseWrongState(state=Text(case.state.vi, case.state.en))
    files = await image_parts(request)
    case = await run_in_threadpool(service.submit_images, case_id, token, files["front"],
                                   files["back"], files["portrait"])
    return StatusOut.of(case, service.policy.image_attempts)


@router.post("/recovery/identity/{case_id}/phone", response_model=TokenOut)
def prove_phone(case_id: str, body: PhoneIn, request: Request,
                container: ContainerDep) -> TokenOut:
    """The SMS code → the case token (for the next calls, in ``X-Recovery-Token``)."""
    service = container.identity_recovery
    token = service.prove_phone(case_id, body.code, client_ip(request))
    return TokenOut(token=token, expires_at=service.status(case_id, token).expires_at)


@router.get("/recovery/identity/{case_id}", response_model=StatusOut)
def status(case_id: str, token: Token, container: ContainerDep) -> StatusOut:
    service = container.identity_recovery
    return StatusOut.of(service.status(case_id, token), service.policy.image_attempts)


# -- the staff --------------------------------------------------------------------------
class RecoveryCaseOut(BaseModel):
    id: str
    state: str
    state_vi: str
    state_en: str
    created_at: datetime
    submitted_at: datetime | None
    expires_at: datetime
    decided_at: datetime | None
    officer: str | None
    reason: str | None
    account_id: str
    username: str
    full_name: str
    phone: str
    email: str
    id_number: str | None
    registration: CaseOut | None  # the approved registration: its card data and images

    @classmethod
    def of(cls, view: CaseView) -> RecoveryCaseOut:
        c, a = view.case, view.account
        return cls(id=c.id, state=c.state.value, state_vi=c.state.vi, state_en=c.state.en,
                   created_at=c.created_at, submitted_at=c.submitted_at,
                   expires_at=c.expires_at, decided_at=c.decided_at, officer=c.officer,
                   reason=c.reason, account_id=a.id, username=a.username,
                   full_name=a.full_name, phone=a.phone, email=a.email,
                   id_number=a.id_number,
                   registration=case_out(view.registration) if view.registration else None)


class RejectIn(Strict):
    reason: str = Field(min_length=3, max_length=500)


@router.get("/ra/recoveries", response_model=list[RecoveryCaseOut], tags=["ra"])
def queue(caller: CurrentCaller, container: ContainerDep,
          state: CaseState = CaseState.UNDER_REVIEW) -> list[RecoveryCaseOut]:
    return [RecoveryCaseOut.of(v)
            for v in container.identity_recovery.queue(caller.account.id, state)]


@router.get("/ra/recoveries/{case_id}", response_model=RecoveryCaseOut, tags=["ra"])
def show(case_id: str, caller: CurrentCaller, container: ContainerDep) -> RecoveryCaseOut:
    return RecoveryCaseOut.of(container.identity_recovery.show(caller.account.id, case_id))


@router.get("/ra/recoveries/{case_id}/images/{which}", response_class=Response, tags=["ra"])
def image(case_id: str,
          which: Literal["front", "back", "portrait", "registration_front",
                         "registration_back", "registration_portrait"],
          caller: CurrentCaller, container: ContainerDep) -> Response:
    data = container.identity_recovery.image(caller.account.id, case_id, which)
    kind = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
    return Response(data, media_type=kind)


@router.post("/ra/recoveries/{case_id}/approve", response_model=RecoveryCaseOut, tags=["ra"])
def approve(case_id: str, caller: CurrentCaller, container: ContainerDep) -> RecoveryCaseOut:
    return RecoveryCaseOut.of(container.identity_recovery.approve(caller.account.id, case_id))


@router.post("/ra/recoveries/{case_id}/reject", response_model=RecoveryCaseOut, tags=["ra"])
def reject(case_id: str, body: RejectIn, caller: CurrentCaller,
           container: ContainerDep) -> RecoveryCaseOut:
    return RecoveryCaseOut.of(container.identity_recovery.reject(caller.account.id, case_id,
                                                                 body.reason))
