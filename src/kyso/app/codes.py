"""Codes from the token: giải pháp 1 (offline) and 2 (logged in), time sync, resync and the
SmartOTP PIN change (checked online with a code made by the old PIN)."""

from __future__ import annotations

from kyso.app import messages as m
from kyso.app.client import KysoClient
from kyso.app.context import AppContext
from kyso.app.enrol import ask_new_pin
from kyso.app.errors import ApiError, AppError
from kyso.app.i18n import Msg
from kyso.app.token import SoftToken

__all__ = ["change_pin", "logged_in_token", "offline_token", "open_token", "resync", "sync"]


def open_token(ctx: AppContext, prompt: Msg = m.ASK_SMARTOTP_PIN) -> SoftToken:
    """Ask the SmartOTP PIN and open the token with it (a wrong PIN opens a wrong one)."""
    stored = ctx.require_token()
    return SoftToken.open(stored, ctx.ui.ask(prompt, secret=True))


def offline_token(ctx: AppContext) -> SoftToken:
    """Giải pháp 1: no login, no network — only the PIN."""
    return open_token(ctx)


def logged_in_token(ctx: AppContext) -> SoftToken:
    """Giải pháp 2: the token must be active on this device; the clock is synced first."""
    ctx.require_token()
    with ctx.client() as api:
        _check_active(ctx, api)
        _sync(ctx, api)
    return open_token(ctx)


def _check_active(ctx: AppContext, api: KysoClient) -> None:
    remote = api.status()
    if remote.status != "active" or remote.device_id != ctx.state.device_id:
        raise AppError(m.NOT_THIS_DEVICE, status=remote.status)


def _sync(ctx: AppContext, api: KysoClient) -> float:
    """offset = server − local, the local time taken halfway through the round trip."""
    before = ctx.clock()
    server = api.time()
    after = ctx.clock()
    offset = server.unix - (before + after) / 2
    ctx.save(clock_offset=offset, synced_at=ctx.stamp())
    return offset


def sync(ctx: AppContext) -> None:
    """Đồng bộ thời gian: needs no login."""
    with ctx.client() as api:
        offset = _sync(ctx, api)
    ctx.ui.result(m.SYNCED, offset=offset)


def resync(ctx: AppContext) -> None:
    """Two consecutive codes (this step's and the next) teach the server this clock."""
    ctx.require_token()
    with ctx.client() as api:
        api.status()
        token = open_token(ctx)
        api.resync(*token.resync_codes(ctx.now()))
    ctx.ui.result(m.RESYNCED)


def change_pin(ctx: AppContext) -> None:
    """Old PIN (proven online by answering a one-time challenge with a code made with it;
    the server counts failures), new PIN twice, lock the seed again under the new PIN."""
    stored = ctx.require_token()
    with ctx.client() as api:
        api.status()
        old = ctx.ui.ask(m.ASK_OLD_PIN, secret=True)
        token = SoftToken.open(stored, old)
        challenge = api.pin_change()
        try:
            api.confirm(challenge.id, token.transaction_code(challenge))
        except ApiError as exc:
            if exc.code != "invalid_otp":
                raise
            raise AppError(m.OLD_PIN_WRONG, reason=exc.description) from None
    ctx.ui.say(m.OLD_PIN_OK)
    new = ask_new_pin(ctx.ui, old)
    ctx.save(token=token.lock(stored, new, ctx.kdf()))
    ctx.ui.result(m.PIN_CHANGED)
