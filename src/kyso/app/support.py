"""The support desk, as the server publishes it (``GET /contact``): shown by ``kyso app about``,
after a lock-out and wherever the app sends the customer to the desk — with the number to call,
never "liên hệ tổng đài" alone. The words are the server's own (:mod:`kyso.support`)."""

from __future__ import annotations

from kyso import __version__
from kyso.app import messages as m
from kyso.app.client import KysoClient
from kyso.app.context import AppContext
from kyso.app.errors import ApiError, AppError
from kyso.app.i18n import Msg
from kyso.app.models import Contact
from kyso.app.state import KnownDesk
from kyso.app.ui import Ui
from kyso.errors import Text
from kyso.support import SupportDesk

__all__ = ["about", "after_error", "contact_of", "kept_desk", "tell_desk", "tell_locked",
           "with_desk"]

# refusals after which the customer needs the desk (a 423 always does)
_SEND_TO_DESK = frozenset({"suspended_by_staff", "recovery_limit", "account_locked"})


def with_desk(msg: Msg, contact: Contact | None) -> Msg:
    """``msg`` with its ``{desk}`` filled in each language: the desk as the object of
    "liên hệ" / "contact" (the server's words; a desk it cannot say: the provider's)."""
    desk = SupportDesk(contact.phone, contact.email) if contact else SupportDesk()
    return Msg(*desk.fill(Text(msg.vi, msg.en)))


def contact_of(ctx: AppContext, api: KysoClient) -> Contact | None:
    """The desk as the server says it now (kept on this device for later), else as it said it
    last time; None when it never could (the command's own outcome stands)."""
    try:
        contact = api.contact()
    except AppError:
        return kept_desk(ctx)
    remember(ctx, contact)
    return contact


def kept_desk(ctx: AppContext) -> Contact | None:
    """The desk this server published last time it was asked, kept on this device."""
    kept = ctx.state.desk_for(ctx.server)
    return Contact(phone=kept.phone, tel=kept.tel, email=kept.email) if kept else None


def remember(ctx: AppContext, contact: Contact) -> None:
    desk = KnownDesk(ctx.server, contact.phone, contact.tel, contact.email)
    if ctx.state.desk_for(ctx.server) != desk:
        ctx.save(desk=desk)


def tell_desk(ui: Ui, contact: Contact, *, result: bool = False) -> None:
    """One line per way to reach the desk, or the words for a provider that set none."""
    show = ui.result if result else ui.say
    if contact.phone:
        show(m.DESK_PHONE, phone=contact.phone)
    if contact.email:
        show(m.DESK_EMAIL, email=contact.email)
    if not contact.phone and not contact.email:
        show(m.DESK_NONE)


def tell_locked(ctx: AppContext) -> None:
    """Something is locked: the desk that unlocks it (when the server can say)."""
    with ctx.client() as api:
        contact = contact_of(ctx, api)
    if contact is not None:
        tell_desk(ctx.ui, contact)


def about(ctx: AppContext) -> None:
    """The app, its server and the support desk (``kyso app about``)."""
    ctx.ui.result(m.ABOUT, version=__version__, server=ctx.server)
    try:
        with ctx.client() as api:
            contact = api.contact()
    except AppError as exc:
        kept = kept_desk(ctx)
        if kept is None:
            ctx.ui.say(m.DESK_UNKNOWN, reason=exc.describe(ctx.ui.lang))
            return
        ctx.ui.say(m.DESK_KEPT, reason=exc.describe(ctx.ui.lang))
        tell_desk(ctx.ui, kept, result=True)
        return
    remember(ctx, contact)
    tell_desk(ctx.ui, contact, result=True)


def after_error(ctx: AppContext, exc: AppError) -> None:
    """After a refusal that only the desk can lift, the desk's phone and email (unless the
    server's own words named the number already)."""
    if not isinstance(exc, ApiError):
        return
    if exc.status != 423 and exc.code not in _SEND_TO_DESK:
        return
    with ctx.client() as api:
        contact = contact_of(ctx, api)
    ways = [way for way in (contact.phone, contact.email) if way] if contact else []
    if contact is None or not ways or ways[0] in exc.description:
        return  # nothing to add: no desk set (the server's words said so), or named already
    tell_desk(ctx.ui, contact)
