"""``kyso app forgot-password`` (a code to the registered phone or email and the account PIN
set a new password) and ``kyso app account-pin`` (change the account PIN with the old one and
an SMS code, or with ``--forgot`` the password and an SMS code) — the web's recovery paths."""

from __future__ import annotations

from kyso.app import messages as m
from kyso.app.context import AppContext
from kyso.app.errors import AppError
from kyso.app.onboard import ask_images

__all__ = ["account_pin", "forgot_password", "recover_identity"]


def forgot_password(ctx: AppContext, login: str | None, *, by_email: bool) -> None:
    name = (login or ctx.ui.ask(m.ASK_SERVER_LOGIN)).strip()
    with ctx.client() as api:
        api.password_code(name, "email" if by_email else "sms")
        ctx.ui.say(m.PASSWORD_CODE_SENT, where="email" if by_email else "số điện thoại",
                   where_en="email" if by_email else "phone")
        code = ctx.ui.ask(m.ASK_RECOVERY_CODE).strip()
        pin = ctx.ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        api.reset_password(name, code, pin, _new_password(ctx))
    ctx.save(session=None)
    ctx.ui.result(m.PASSWORD_RESET_DONE)


def account_pin(ctx: AppContext, *, forgot: bool) -> None:
    with ctx.client() as api:
        api.status()  # fail on a missing session before asking anything
        secret = ctx.ui.ask(m.ASK_PASSWORD if forgot else m.ASK_OLD_ACCOUNT_PIN, secret=True)
        new = ctx.ui.ask(m.ASK_NEW_ACCOUNT_PIN, secret=True)
        if ctx.ui.ask(m.ASK_NEW_ACCOUNT_PIN_AGAIN, secret=True) != new:
            raise AppError(m.ACCOUNT_PIN_MISMATCH)
        sent = api.send_code("ACCOUNT_PIN_RESET" if forgot else "PIN_CHANGE")
        ctx.ui.say(m.CODE_SENT, destination=sent.destination, expires_in=sent.expires_in)
        otp = ctx.ui.ask(m.ASK_SMS_CODE_PLAIN).strip()
        if forgot:
            api.reset_account_pin(secret, otp, new)
        else:
            api.change_account_pin(secret, new, otp)
    ctx.ui.result(m.ACCOUNT_PIN_DONE)


def recover_identity(ctx: AppContext, login: str | None, *, complete: bool) -> None:
    """Both the password and the account PIN lost: the registered phone's code and the ID
    images go to an officer; ``complete``: the officer's recovery code, a new password and a
    new account PIN (docs/ACCOUNTS.md)."""
    name = (login or ctx.ui.ask(m.ASK_SERVER_LOGIN)).strip()
    with ctx.client() as api:
        if complete:
            code = ctx.ui.ask(m.ASK_IDENTITY_CODE).strip()
            new = _new_password(ctx)
            pin = ctx.ui.ask(m.ASK_NEW_ACCOUNT_PIN, secret=True)
            if ctx.ui.ask(m.ASK_NEW_ACCOUNT_PIN_AGAIN, secret=True) != pin:
                raise AppError(m.ACCOUNT_PIN_MISMATCH)
            api.identity_complete(name, code, new, pin)
            ctx.save(session=None)
            ctx.ui.result(m.IDENTITY_DONE)
            return
        case_id = api.identity_open(name)
        ctx.ui.say(m.IDENTITY_CODE_SENT)
        token = api.identity_phone(case_id, ctx.ui.ask(m.ASK_RECOVERY_CODE).strip())
        ctx.ui.say(m.IDENTITY_IMAGES)
        api.identity_images(case_id, token, ask_images(ctx))
    ctx.ui.result(m.IDENTITY_SENT)


def _new_password(ctx: AppContext) -> str:
    new = ctx.ui.ask(m.ASK_NEW_PASSWORD, secret=True)
    if ctx.ui.ask(m.ASK_NEW_PASSWORD_AGAIN, secret=True) != new:
        raise AppError(m.PASSWORD_MISMATCH)
    return new
