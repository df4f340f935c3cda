"""Giải pháp 3: a code made for one transaction and filled in by the app itself.

The app shows the transaction (kind and every detail), checks that the server's question is
the challenge of exactly those details, asks the SmartOTP PIN, computes the OCRA response and
confirms. On the SMS method the person types the code sent by SMS instead.
"""

from __future__ import annotations

from kyso.app import messages as m
from kyso.app.client import KysoClient
from kyso.app.codes import open_token
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError, BadResponse
from kyso.app.models import Transaction, Vocabulary

__all__ = ["confirm", "confirm_open", "contact_change", "pending", "reject", "words_of"]


def pending(ctx: AppContext) -> list[Transaction]:
    with ctx.client() as api:
        return api.transactions("pending")


def confirm(ctx: AppContext, transaction_id: str, otp: str | None = None) -> None:
    with ctx.client() as api:
        _confirm(ctx, api, api.transaction(transaction_id), otp)


def code_for(ctx: AppContext, transaction_id: str) -> str:
    """The code for a transaction confirmed elsewhere (the web app): the app shows the
    transaction, checks its question against those details, asks the SmartOTP PIN and returns
    the OCRA response to type in; nothing is confirmed here."""
    with ctx.client() as api:
        tx, words = api.transaction(transaction_id), words_of(api)
    _show(ctx, tx, words)
    if tx.method != "smartotp":
        raise AppError(m.UNKNOWN_METHOD, method=tx.method)
    return open_token(ctx).transaction_code(tx)


def reject(ctx: AppContext, transaction_id: str) -> None:
    with ctx.client() as api:
        api.reject(transaction_id)
    ctx.ui.result(m.TX_REJECTED, id=transaction_id)


def contact_change(ctx: AppContext, *, phone: str | None, email: str | None,
                   otp: str | None = None) -> None:
    """Create the change as a transaction, then confirm it like any other."""
    if not phone and not email:
        raise AppError(m.NEED_CONTACT)
    with ctx.client() as api:
        tx = api.contact_change(phone or None, email or None)
        ctx.ui.say(m.TX_CREATED, id=tx.id)
        _confirm(ctx, api, tx, otp)


def confirm_open(ctx: AppContext, api: KysoClient, tx: Transaction) -> None:
    """Confirm a transaction another flow just opened (the code fills in)."""
    _confirm(ctx, api, tx, None)


def words_of(api: KysoClient) -> Vocabulary:
    """The server's words, or none from a server that has no ``/vocabulary`` yet (the codes
    are shown then)."""
    try:
        return api.vocabulary()
    except (ApiError, BadResponse):
        return Vocabulary()


def _show(ctx: AppContext, tx: Transaction, words: Vocabulary) -> None:
    ctx.ui.show_transaction(tx, words)
    if tx.status != "pending":
        raise AppError(m.TX_NOT_PENDING, id=tx.id,
                       status=words.word("transaction_statuses", tx.status))


def _confirm(ctx: AppContext, api: KysoClient, tx: Transaction, otp: str | None) -> None:
    _show(ctx, tx, words_of(api))
    api.confirm(tx.id, _code_for(ctx, tx, otp))
    ctx.ui.result(m.TX_CONFIRMED, id=tx.id)


def _code_for(ctx: AppContext, tx: Transaction, otp: str | None) -> str:
    if tx.method == "sms":
        return (otp or ctx.ui.ask(m.ASK_SMS_CODE_PLAIN)).strip()
    if tx.method != "smartotp":
        raise AppError(m.UNKNOWN_METHOD, method=tx.method)
    code = open_token(ctx).transaction_code(tx)
    ctx.ui.say(m.OTP_FILLED)
    return code
