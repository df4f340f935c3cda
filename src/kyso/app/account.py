"""Session and account flows: login, logout, status, the OTP method and its temporary lock."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kyso.app import messages as m
from kyso.app.context import AppContext
from kyso.app.errors import ApiError
from kyso.app.models import TokenStatus
from kyso.app.state import Session
from kyso.app.support import contact_of, with_desk
from kyso.secrets import Secret

__all__ = ["StatusReport", "lock_method", "login", "logout", "set_method", "status"]


def login(ctx: AppContext, login_name: str | None = None) -> None:
    name = login_name or ctx.ui.ask(m.ASK_SERVER_LOGIN)
    password = ctx.ui.ask(m.ASK_PASSWORD, secret=True)
    with ctx.client() as api:
        answer = api.login(name.strip(), password)
    session = Session(ctx.server, answer.account.username, Secret(answer.access_token),
                      answer.expires_at.isoformat())
    ctx.save(server=ctx.server, session=session)
    ctx.ui.result(m.LOGGED_IN, login=session.login, server=ctx.server)


def logout(ctx: AppContext) -> None:
    """End the session on the server (if it still lives) and forget it here in any case."""
    try:
        if ctx.state.session_for(ctx.server):
            with ctx.client() as api:
                api.logout()
    except ApiError as exc:
        if exc.status != 401:
            raise
    finally:
        ctx.save(session=None)
    ctx.ui.result(m.LOGGED_OUT)


@dataclass(frozen=True)
class StatusReport:
    server: str
    device_id: str
    login: str | None
    token_id: str | None
    activated_at: str | None
    clock_offset: float
    synced_at: str | None
    remote: TokenStatus | None

    @property
    def locked(self) -> bool:
        """The token or one of the OTP methods is locked (the desk lifts it)."""
        remote = self.remote
        return remote is not None and (remote.status == "locked" or any(
            state.locked for state in remote.methods.values()))

    def to_json(self) -> dict[str, Any]:
        remote = self.remote.model_dump(mode="json") if self.remote else None
        return {"server": self.server, "device_id": self.device_id, "login": self.login,
                "has_token": self.token_id is not None, "token_id": self.token_id,
                "activated_at": self.activated_at, "clock_offset": self.clock_offset,
                "synced_at": self.synced_at, "remote": remote}


def status(ctx: AppContext) -> StatusReport:
    """The device's state, and the server's view of the token when logged in."""
    session = ctx.state.session_for(ctx.server)
    remote = None
    if session is not None:
        with ctx.client() as api:
            remote = api.status()
    token = ctx.state.token
    return StatusReport(ctx.server, ctx.state.device_id, session.login if session else None,
                        token.token_id if token else None, token.activated_at if token else None,
                        ctx.state.clock_offset, ctx.state.synced_at, remote)


def set_method(ctx: AppContext, method: str) -> None:
    """Thay đổi phương thức nhận OTP, confirmed with the account PIN."""
    with ctx.client() as api:
        api.status()  # fail on a missing session before asking for the PIN
        pin = ctx.ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        chosen = api.set_method(method, pin)
    ctx.ui.result(m.METHOD_SET, method=chosen)


def lock_method(ctx: AppContext, method: str) -> None:
    """Tạm khóa phương thức nhận OTP at the customer's request (the hotline unlocks it)."""
    with ctx.client() as api:
        api.status()
        pin = ctx.ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        api.lock_method(method, pin)
        done = with_desk(m.METHOD_LOCKED, contact_of(ctx, api))
    ctx.ui.result(done, method=method)
