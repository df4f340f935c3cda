"""Recovery: a forgotten password (before login), a forgotten account PIN (logged in)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field

from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller
from kyso.entrypoints.api.schemas import Strict
from kyso.notify.model import Channel

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class PasswordCodeIn(Strict):
    login: str = Field(min_length=1, max_length=254)
    channel: Literal["sms", "email"] = "sms"


class CodeSentOut(BaseModel):
    expires_at: datetime


class PasswordResetIn(Strict):
    login: str = Field(min_length=1, max_length=254)
    code: str = Field(min_length=1, max_length=12)
    pin: str = Field(min_length=1, max_length=12)
    new_password: str = Field(min_length=1, max_length=128)


class PinResetIn(Strict):
    password: str = Field(min_length=1, max_length=128)
    otp: str = Field(min_length=1, max_length=12)
    new_pin: str = Field(min_length=1, max_length=12)


@router.post("/recovery/password/code", status_code=202, response_model=CodeSentOut)
def password_code(body: PasswordCodeIn, container: ContainerDep) -> CodeSentOut:
    """A code to the account's phone or email; the same answer for an unknown login."""
    channel = Channel.SMS if body.channel == "sms" else Channel.EMAIL
    return CodeSentOut(expires_at=container.recovery.send_password_code(body.login, channel))


@router.post("/recovery/password", status_code=204)
def reset_password(body: PasswordResetIn, container: ContainerDep) -> Response:
    """The code and the account PIN set a new password; every session ends."""
    container.recovery.reset_password(body.login, body.code, body.pin, body.new_password)
    return Response(status_code=204)


@router.post("/me/pin/reset", status_code=204)
def reset_pin(body: PinResetIn, caller: CurrentCaller, container: ContainerDep) -> Response:
    """A forgotten account PIN: the password and a code (``ACCOUNT_PIN_RESET``) by SMS."""
    container.recovery.reset_pin(caller.account.id, body.password, body.otp, body.new_pin)
    return Response(status_code=204)
