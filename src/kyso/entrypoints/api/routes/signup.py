"""Sign-up with the phone and the email proven by codes (``accounts/signup.py``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from kyso.accounts.signup import PendingSignUp, SignUpStart
from kyso.entrypoints.api.deps import ContainerDep, client_ip
from kyso.entrypoints.api.routes.accounts import AccountOut
from kyso.entrypoints.api.schemas import Strict
from kyso.notify.model import Channel

router = APIRouter(prefix="/api/v1/signup", tags=["accounts"])


class SignUpIn(Strict):
    full_name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=8, max_length=20)
    email: str = Field(min_length=3, max_length=254)
    password: str = Field(min_length=1, max_length=128)
    pin: str = Field(min_length=1, max_length=12)
    locale: Literal["vi", "en"] = "vi"


class PendingOut(BaseModel):
    id: str
    phone: str
    email: str
    expires_at: datetime
    resend_after: int = Field(description="seconds before a code can be sent again")

    @classmethod
    def of(cls, p: PendingSignUp, resend_after: int) -> PendingOut:
        return cls(id=p.id, phone=p.phone, email=p.email, expires_at=p.expires_at,
                   resend_after=resend_after)


class CodesIn(Strict):
    phone_code: str = Field(min_length=1, max_length=12)
    email_code: str = Field(min_length=1, max_length=12)


class ResendIn(Strict):
    channel: Literal["sms", "email"]


class ResentOut(BaseModel):
    expires_at: datetime
    resend_after: int = Field(description="seconds before this code can be sent again")


@router.post("", status_code=202, response_model=PendingOut)
def start(body: SignUpIn, request: Request, container: ContainerDep) -> PendingOut:
    """Codes go to the phone and the email. The answer is the same whether or not they are
    registered already (their owner is told instead)."""
    pending = container.signup.start(SignUpStart(**body.model_dump()), ip=client_ip(request))
    return PendingOut.of(pending, container.signup.resend_seconds)


@router.post("/{signup_id}/verify", response_model=AccountOut)
def verify(signup_id: str, body: CodesIn, container: ContainerDep) -> AccountOut:
    return AccountOut.of(container.signup.verify(signup_id, body.phone_code, body.email_code))


@router.post("/{signup_id}/resend", response_model=ResentOut)
def resend(signup_id: str, body: ResendIn, container: ContainerDep) -> ResentOut:
    channel = Channel.SMS if body.channel == "sms" else Channel.EMAIL
    return ResentOut(expires_at=container.signup.resend(signup_id, channel),
                     resend_after=container.signup.resend_seconds)
