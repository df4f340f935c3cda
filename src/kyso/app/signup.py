"""``kyso app signup``: a new account with its phone and email proven by codes, then a
session on this device (the same path as the web's sign-up)."""

from __future__ import annotations

from kyso.app import messages as m
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError
from kyso.app.state import Session
from kyso.secrets import Secret

__all__ = ["signup"]

_TRIES = 3


def signup(ctx: AppContext) -> None:
    form = _form(ctx)
    with ctx.client() as api:
        pending = api.signup(form)
        ctx.ui.say(m.SIGNUP_CODES_SENT, phone=pending.phone, email=pending.email)
        phone_code = email_code = ""
        for attempt in range(1, _TRIES + 1):  # an empty answer keeps the code typed before
            phone_code = ctx.ui.ask(m.ASK_SIGNUP_SMS, to=pending.phone).strip() or phone_code
            email_code = ctx.ui.ask(m.ASK_SIGNUP_EMAIL, to=pending.email).strip() or email_code
            try:
                api.signup_verify(pending.id, phone_code, email_code)
                break
            except ApiError as exc:
                if exc.code != "invalid_otp" or attempt == _TRIES:
                    raise
                ctx.ui.say(exc.message)
        answer = api.login(form["phone"], form["password"])
    session = Session(ctx.server, answer.account.username, Secret(answer.access_token),
                      answer.expires_at.isoformat())
    ctx.save(server=ctx.server, session=session)
    ctx.ui.result(m.SIGNED_UP, login=form["phone"], server=ctx.server)


def _form(ctx: AppContext) -> dict[str, str]:
    ask = ctx.ui.ask
    form = {"full_name": ask(m.ASK_FULL_NAME).strip(), "phone": ask(m.ASK_PHONE).strip(),
            "email": ask(m.ASK_EMAIL).strip(),
            "password": ask(m.ASK_NEW_PASSWORD, secret=True),
            "pin": ask(m.ASK_NEW_ACCOUNT_PIN, secret=True)}
    if ask(m.ASK_NEW_ACCOUNT_PIN_AGAIN, secret=True) != form["pin"]:
        raise AppError(m.ACCOUNT_PIN_MISMATCH)
    return form
