"""SmartOTP: terms, registration, activation, status, checks, resync, reset, methods."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from kyso.entrypoints.api.deps import (
    BEARER_SECURITY,
    ContainerDep,
    CurrentCaller,
    Unchecked,
    UncheckedBearer,
)
from kyso.entrypoints.api.hot import run_hot
from kyso.entrypoints.api.schemas import Strict
from kyso.errors import Text
from kyso.otp.enrolment import Activation
from kyso.otp.oath import b32decode_seed, otpauth_uri
from kyso.otp.token import Method, MethodState, SmartOtpToken

router = APIRouter(prefix="/api/v1", tags=["smartotp"])
# The code check alone, included first by the app: routes are matched in order, and walking
# the fifty routes in front of SmartOTP cost a verification more than its token lookup.
hot_router = APIRouter(prefix="/api/v1", tags=["smartotp"])

Pin = Field(min_length=1, max_length=12)
Code = Field(min_length=1, max_length=12)


class TermsOut(BaseModel):
    version: str
    text_vi: str
    text_en: str


class RegisterIn(Strict):
    terms_version: str = Field(min_length=1, max_length=16)
    pin: str = Pin
    otp: str = Code


class RegisterOut(BaseModel):
    token_id: str
    activation_expires_at: datetime
    destination: str


class ActivateIn(Strict):
    activation_code: str = Code
    device_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_.:-]+$")
    device_name: str | None = Field(default=None, max_length=100)


class ActivationOut(BaseModel):
    token_id: str
    seed_b32: str
    algorithm: str
    digits: int
    period: int
    ocra_suite: str
    server_time: datetime
    otpauth_uri: str | None = None

    @classmethod
    def of(cls, a: Activation, uri: str | None = None) -> ActivationOut:
        t = a.token
        return cls(token_id=t.id, seed_b32=a.seed_b32, algorithm=t.algorithm, digits=t.digits,
                   period=t.period, ocra_suite=t.ocra_suite, server_time=a.server_time,
                   otpauth_uri=uri)


class MethodLockOut(BaseModel):
    locked: bool
    reason: str | None = None
    locked_at: datetime | None = None

    @classmethod
    def all_of(cls, state: MethodState) -> dict[str, MethodLockOut]:
        """Every method, locked or not, with the lock's reason and time."""
        return {m.value: cls(locked=state.is_locked(m),
                             reason=state.locks[m].reason if m in state.locks else None,
                             locked_at=state.locks[m].at if m in state.locks else None)
                for m in Method}


class StatusOut(BaseModel):
    status: Literal["none", "pending", "active", "locked"]
    device_id: str | None = None
    device_name: str | None = None
    activated_at: datetime | None = None
    otp_method: str
    methods: dict[str, MethodLockOut]
    algorithm: str | None = None
    digits: int | None = None
    period: int | None = None
    ocra_suite: str | None = None

    @classmethod
    def of(cls, token: SmartOtpToken | None, state: MethodState) -> StatusOut:
        methods = MethodLockOut.all_of(state)
        if token is None:
            return cls(status="none", otp_method=state.preferred.value, methods=methods)
        status = "locked" if token.locked_at else token.status.value
        return cls(status=status, device_id=token.device_id,
                   device_name=token.device_name, activated_at=token.activated_at,
                   otp_method=state.preferred.value, methods=methods, algorithm=token.algorithm,
                   digits=token.digits, period=token.period, ocra_suite=token.ocra_suite)


class CodeIn(Strict):
    code: str = Code


class ResyncIn(Strict):
    code1: str = Code
    code2: str = Code


class PinOtpIn(Strict):
    pin: str = Pin
    otp: str = Code


class MethodIn(Strict):
    method: Method
    pin: str = Pin


class PinIn(Strict):
    pin: str = Pin


class MethodOut(BaseModel):
    otp_method: str


@router.get("/smartotp/terms", response_model=TermsOut)
def terms(container: ContainerDep) -> TermsOut:
    t = container.enrolment.terms()
    vi, en = container.support_desk.fill(Text(t.text_vi, t.text_en))  # the desk's number
    return TermsOut(version=t.version, text_vi=vi, text_en=en)


@router.post("/smartotp/registrations", status_code=201, response_model=RegisterOut)
def register(body: RegisterIn, caller: CurrentCaller, container: ContainerDep) -> RegisterOut:
    r = container.enrolment.register(caller.account.id, body.terms_version, body.pin, body.otp)
    return RegisterOut(token_id=r.token_id, activation_expires_at=r.activation_expires_at,
                       destination=r.destination)


@router.post("/smartotp/activate", response_model=ActivationOut)
def activate(body: ActivateIn, caller: CurrentCaller, container: ContainerDep) -> ActivationOut:
    return ActivationOut.of(container.enrolment.activate(
        caller.account.id, body.activation_code, body.device_id, body.device_name))


@router.post("/smartotp/authenticator", response_model=ActivationOut)
def authenticator(body: PinOtpIn, caller: CurrentCaller, container: ContainerDep) -> ActivationOut:
    a = container.enrolment.enrol_authenticator(caller.account.id, body.pin, body.otp)
    uri = otpauth_uri(b32decode_seed(a.seed_b32), account=caller.account.username, issuer="kyso",
                      params=a.token.params)
    return ActivationOut.of(a, uri)


@router.get("/smartotp", response_model=StatusOut)
def status(caller: CurrentCaller, container: ContainerDep) -> StatusOut:
    return StatusOut.of(*container.smartotp.status(caller.account.id))


@hot_router.post("/smartotp/verify", status_code=204, response_class=Response,
                 openapi_extra=BEARER_SECURITY)
async def verify(body: CodeIn, bearer: UncheckedBearer) -> Response:
    # The hot route of SmartOTP: one dependency (the bearer, read not checked), one hop to
    # a hot route's thread (api/hot.py) for the whole check, and one unit of work for it
    # (the session read, then the code under the write lock), where a plain-function
    # dependency and a plain endpoint cost a hop each and the bearer check a unit of work
    # of its own.
    await run_hot(bearer.container, _verify, bearer, body.code)
    return Response(status_code=204)


def _verify(bearer: Unchecked, code: str) -> None:
    accounts = bearer.container.accounts
    bearer.container.smartotp.verify_for(
        lambda uow: accounts.authenticate_in(uow, bearer.token)[0].id, code)


@router.post("/smartotp/resync", status_code=204)
def resync(body: ResyncIn, caller: CurrentCaller, container: ContainerDep) -> Response:
    container.smartotp.resync(caller.account.id, body.code1, body.code2)
    return Response(status_code=204)


@router.post("/smartotp/reset", status_code=204)
def reset(body: PinOtpIn, caller: CurrentCaller, container: ContainerDep) -> Response:
    container.enrolment.reset(caller.account.id, body.pin, body.otp)
    return Response(status_code=204)


@router.put("/me/otp-method", response_model=MethodOut)
def switch_method(body: MethodIn, caller: CurrentCaller, container: ContainerDep) -> MethodOut:
    state = container.otp_methods.switch(caller.account.id, body.method, body.pin)
    return MethodOut(otp_method=state.preferred.value)


@router.post("/me/otp-methods/{method}/lock", status_code=204)
def lock_method(method: Method, body: PinIn, caller: CurrentCaller,
                container: ContainerDep) -> Response:
    container.otp_methods.lock_own(caller.account.id, method, body.pin)
    return Response(status_code=204)
