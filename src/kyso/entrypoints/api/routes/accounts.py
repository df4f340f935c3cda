"""Sign-up, login, logout, me, password, account PIN and sessions."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Header, Request, Response
from pydantic import BaseModel, Field

from kyso.accounts.agents import browser_and_system
from kyso.accounts.errors import DirectSignUpClosed
from kyso.accounts.model import Account, Session
from kyso.accounts.service import NewAccount
from kyso.entrypoints.api.deps import ContainerDep, CurrentCaller, client_ip
from kyso.entrypoints.api.schemas import Strict

router = APIRouter(prefix="/api/v1", tags=["accounts"])


class SignUpIn(Strict):
    username: str = Field(min_length=3, max_length=64)
    password: str = Field(min_length=1, max_length=128)
    pin: str = Field(min_length=1, max_length=12)
    full_name: str = Field(min_length=1, max_length=200)
    phone: str = Field(min_length=8, max_length=20)
    email: str = Field(min_length=3, max_length=254)
    id_number: str | None = Field(default=None, max_length=32)
    locale: Literal["vi", "en"] = "vi"


class AccountOut(BaseModel):
    id: str
    username: str
    full_name: str
    phone: str
    email: str
    id_number: str | None
    role: str
    status: str
    locale: str
    created_at: datetime

    @classmethod
    def of(cls, a: Account) -> AccountOut:
        return cls(id=a.id, username=a.username, full_name=a.full_name, phone=a.phone,
                   email=a.email, id_number=a.id_number, role=a.role.value,
                   status=a.status.value, locale=a.locale, created_at=a.created_at)


class LoginIn(Strict):
    login: str = Field(min_length=1, max_length=254)
    password: str = Field(min_length=1, max_length=128)


class SessionOut(BaseModel):
    id: str
    created_at: datetime
    expires_at: datetime
    last_seen_at: datetime
    user_agent: str | None
    browser: str | None = None  # "Chrome", "Safari", "kyso app"… read from user_agent
    system: str | None = None  # "Android", "iPhone", "Windows"…
    ip: str | None
    current: bool = False

    @classmethod
    def of(cls, s: Session, current_id: str | None = None) -> SessionOut:
        browser, system = browser_and_system(s.user_agent)
        return cls(id=s.id, created_at=s.created_at, expires_at=s.expires_at,
                   last_seen_at=s.last_seen_at, user_agent=s.user_agent, browser=browser,
                   system=system, ip=s.ip, current=s.id == current_id)


class LoginOut(BaseModel):
    access_token: str
    token_type: str = "Bearer"  # noqa: S105  (the OAuth token type, not a secret)
    expires_at: datetime
    session: SessionOut
    account: AccountOut


class LocaleIn(Strict):
    locale: Literal["vi", "en"]


class PasswordIn(Strict):
    old_password: str = Field(min_length=1, max_length=128)
    new_password: str = Field(min_length=1, max_length=128)


class PinIn(Strict):
    old_pin: str = Field(min_length=1, max_length=12)
    new_pin: str = Field(min_length=1, max_length=12)
    otp: str = Field(min_length=1, max_length=12)


@router.post("/accounts", status_code=201, response_model=AccountOut)
def sign_up(body: SignUpIn, container: ContainerDep) -> AccountOut:
    """An active account at once (operators' scripts, tests); off in production unless
    ``direct_signup`` says so — customers sign up with codes at ``/api/v1/signup``."""
    settings = container.settings
    if not (settings.direct_signup if settings.direct_signup is not None
            else settings.mode == "development"):
        raise DirectSignUpClosed()
    return AccountOut.of(container.accounts.sign_up(NewAccount(**body.model_dump())))


@router.post("/auth/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, container: ContainerDep,
          user_agent: Annotated[str | None, Header()] = None) -> LoginOut:
    session, token = container.accounts.login(body.login, body.password,
                                              user_agent=user_agent, ip=client_ip(request))
    account = container.accounts.get(session.account_id)
    return LoginOut(access_token=token, expires_at=session.expires_at,
                    session=SessionOut.of(session, session.id), account=AccountOut.of(account))


@router.post("/auth/logout", status_code=204)
def logout(caller: CurrentCaller, container: ContainerDep) -> Response:
    container.accounts.logout(caller.session)
    return Response(status_code=204)


@router.get("/me", response_model=AccountOut)
def me(caller: CurrentCaller) -> AccountOut:
    return AccountOut.of(caller.account)


@router.put("/me/locale", response_model=AccountOut)
def set_locale(body: LocaleIn, caller: CurrentCaller, container: ContainerDep) -> AccountOut:
    """The language the customer chose in the app: kyso's emails and SMS to them follow it."""
    return AccountOut.of(container.accounts.set_locale(caller.account.id, body.locale))


@router.post("/me/password", status_code=204)
def change_password(body: PasswordIn, caller: CurrentCaller, container: ContainerDep) -> Response:
    container.accounts.change_password(caller.account.id, caller.session.id,
                                       body.old_password, body.new_password)
    return Response(status_code=204)


@router.post("/me/pin", status_code=204)
def change_pin(body: PinIn, caller: CurrentCaller, container: ContainerDep) -> Response:
    container.accounts.change_pin(caller.account.id, body.old_pin, body.new_pin, body.otp)
    container.recovery.pin_changed(caller.account.id)
    return Response(status_code=204)


@router.get("/me/sessions", response_model=list[SessionOut])
def sessions(caller: CurrentCaller, container: ContainerDep) -> list[SessionOut]:
    return [SessionOut.of(s, caller.session.id)
            for s in container.accounts.sessions(caller.account.id)]


@router.delete("/me/sessions/{session_id}", status_code=204)
def revoke_session(session_id: str, caller: CurrentCaller, container: ContainerDep) -> Response:
    container.accounts.revoke_session(caller.account.id, session_id)
    return Response(status_code=204)
