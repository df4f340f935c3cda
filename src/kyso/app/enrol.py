"""Đăng ký SmartOTP and Quên PIN SmartOTP, step by step as in the guide."""

from __future__ import annotations

import hmac
import math
import time
from collections.abc import Callable

from kyso.app import messages as m
from kyso.app.client import KysoClient
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError, Cancelled
from kyso.app.models import SentCode
from kyso.app.token import new_token
from kyso.app.ui import Ui
from kyso.otp.device import check_smartotp_pin
from kyso.otp.errors import WeakSmartOtpPin

__all__ = ["ask_new_pin", "ask_sms_code", "authenticator", "forgot_pin", "register"]

RESEND = frozenset({"r", "gửi lại", "gui lai", "resend"})
PIN_TRIES = 3
MAX_WAIT = 60  # seconds the app waits by itself for a cool-down before a first send


def ask_sms_code(ui: Ui, api: KysoClient, purpose: str,
                 monotonic: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep) -> str:
    """Send a code for ``purpose`` and ask for it; "r" resends once the server allows it.
    If a code for the same purpose went out moments ago (another flow just asked), the app
    waits out the server's cool-down once, saying so, rather than give up."""
    try:
        sent = _send(ui, api, purpose)
    except ApiError as exc:
        wait = max(1, exc.retry_after or 1)
        if exc.code != "resend_too_soon" or wait > MAX_WAIT:
            raise
        ui.say(m.RESEND_WAIT, seconds=wait)
        sleep(wait)
        sent = _send(ui, api, purpose)
    resend_at = monotonic() + sent.resend_after
    while True:
        answer = ui.ask(m.ASK_SMS_CODE, destination=sent.destination).strip()
        if answer.lower() not in RESEND:
            return answer.replace(" ", "")
        wait = math.ceil(resend_at - monotonic())
        if wait > 0:
            ui.say(m.RESEND_WAIT, seconds=wait)
            continue
        try:
            sent = _send(ui, api, purpose)
        except ApiError as exc:
            if exc.status != 429:
                raise
            ui.say(exc.message)
        resend_at = monotonic() + sent.resend_after


def _send(ui: Ui, api: KysoClient, purpose: str) -> SentCode:
    sent = api.send_code(purpose)
    ui.say(m.CODE_SENT, destination=sent.destination, expires_in=sent.expires_in)
    return sent


def ask_new_pin(ui: Ui, old: str | None = None) -> str:
    """A new SmartOTP PIN, typed twice; a weak or mismatched pair is asked again."""
    for _ in range(PIN_TRIES - 1):
        try:
            return _new_pin_once(ui, old)
        except AppError as exc:
            ui.say(exc.message)
    return _new_pin_once(ui, old)


def _new_pin_once(ui: Ui, old: str | None) -> str:
    pin = ui.ask(m.ASK_NEW_PIN, secret=True)
    try:
        check_smartotp_pin(pin)
    except WeakSmartOtpPin:
        raise AppError(m.WEAK_PIN) from None
    if old is not None and hmac.compare_digest(pin, old):
        raise AppError(m.SAME_PIN)
    if not hmac.compare_digest(pin, ui.ask(m.ASK_NEW_PIN_AGAIN, secret=True)):
        raise AppError(m.PIN_MISMATCH)
    return pin


def register(ctx: AppContext, *, accept_terms: bool = False, device_name: str) -> None:
    """Terms → account PIN + SMS code → activation code + new SmartOTP PIN → token on this
    device. The PIN is chosen before activation: the seed is handed over only once."""
    ui = ctx.ui
    with ctx.client() as api:
        terms = api.terms()
        ui.show_terms(terms)
        if not accept_terms and not ui.confirm(m.ASK_ACCEPT_TERMS):
            raise Cancelled(m.TERMS_REFUSED)
        if ctx.state.token is not None:
            ui.say(m.REPLACING_TOKEN)
        pin = ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        otp = ask_sms_code(ui, api, "SMARTOTP_REGISTER")
        registration = api.register(terms.version, pin, otp)
        ui.say(m.ACTIVATION_SENT, destination=registration.destination)
        code = ui.ask(m.ASK_ACTIVATION, destination=registration.destination).strip()
        smartotp_pin = ask_new_pin(ui)
        before = ctx.clock()
        activation = api.activate(code.replace(" ", ""), ctx.state.device_id, device_name)
        after = ctx.clock()
    changes: dict[str, object] = {"token": new_token(activation, smartotp_pin, ctx.kdf()),
                                  "server": ctx.server}
    if activation.server_time is not None:
        changes |= {"clock_offset": activation.server_time.timestamp() - (before + after) / 2,
                    "synced_at": ctx.stamp()}
    ctx.save(**changes)
    ui.result(m.REGISTERED)


def authenticator(ctx: AppContext) -> None:
    """Optional per deployment: enrol a standard authenticator app instead of this one.
    Account PIN + SMS code; the server answers with an otpauth:// URI, shown once as a QR
    code. The token on this device (if any) was revoked by the server, so it is wiped."""
    ui = ctx.ui
    with ctx.client() as api:
        api.status()  # a missing session fails before any PIN is asked
        pin = ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        otp = ask_sms_code(ui, api, "SMARTOTP_REGISTER")
        activation = api.enrol_authenticator(pin, otp)
    if activation.otpauth_uri is None:
        raise AppError(m.BAD_RESPONSE, what="otpauth_uri")
    ctx.save(token=None)
    ui.say(m.AUTHENTICATOR_SCAN, secret=activation.seed_b32)
    ui.show_qr(activation.otpauth_uri)
    ui.result(m.AUTHENTICATOR_DONE, algorithm=activation.algorithm, digits=activation.digits,
              period=activation.period)


def forgot_pin(ctx: AppContext) -> bool:
    """Account PIN + SMS code: the token is revoked on the server and wiped here. Returns
    whether the person wants to register again right away."""
    ui = ctx.ui
    with ctx.client() as api:
        api.status()  # a missing session fails before any PIN is asked
        pin = ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        otp = ask_sms_code(ui, api, "PIN_RESET")
        api.reset(pin, otp)
    ctx.save(token=None)
    ui.result(m.RESET_DONE)
    return ui.confirm(m.ASK_REGISTER_AGAIN)
