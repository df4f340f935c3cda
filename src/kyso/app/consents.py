"""Consents to relying parties (SP769): which portals may see my certificates and ask me to
sign. A relying party the customer has not let in learns nothing about them."""

from __future__ import annotations

from rich.table import Table

from kyso.app import messages as m
from kyso.app.context import AppContext
from kyso.app.i18n import Lang, Msg
from kyso.app.models import Consent, Party

__all__ = ["NONE", "NO_PARTIES", "consents", "grant", "parties", "revoke", "table"]

NONE = Msg("Quý khách chưa cho phép bên tin cậy nào. Xem danh sách: kyso app parties",
           "You have let no relying party in. See them: kyso app parties")
NO_PARTIES = Msg("Chưa có bên tin cậy nào.", "There is no relying party yet.")
GRANTED = Msg("Đã cho phép {name} ({sp_id}) xem chứng thư số và gửi yêu cầu ký số cho Quý khách.",
              "{name} ({sp_id}) may now see your certificates and ask you to sign.")
REVOKED = Msg("Đã thu hồi quyền của {sp_id}.", "{sp_id} may no longer reach you.")
_HEADERS = (Msg("Mã SP", "SP id"), Msg("Tên", "Name"), Msg("Dịch vụ công", "Public service"),
            Msg("Cho phép lúc", "Granted at"))
_YES, _NO = Msg("có", "yes"), Msg("không", "no")


def parties(ctx: AppContext) -> list[Party]:
    with ctx.client() as api:
        return api.parties()


def consents(ctx: AppContext) -> list[Consent]:
    with ctx.client() as api:
        return api.consents()


def grant(ctx: AppContext, sp_id: str) -> Consent:
    """Let a relying party in: a sensitive change, confirmed with the account PIN."""
    with ctx.client() as api:
        api.status()  # fail on a missing session before asking for the PIN
        pin = ctx.ui.ask(m.ASK_ACCOUNT_PIN, secret=True)
        consent = api.grant(sp_id, pin)
    ctx.ui.result(GRANTED, name=consent.name, sp_id=consent.sp_id)
    return consent


def revoke(ctx: AppContext, sp_id: str) -> None:
    with ctx.client() as api:
        api.revoke_consent(sp_id)
    ctx.ui.result(REVOKED, sp_id=sp_id)


def table(rows: list[Party] | list[Consent], lang: Lang) -> Table:
    headers = _HEADERS if rows and isinstance(rows[0], Consent) else _HEADERS[:3]
    out = Table(*(h.render(lang) for h in headers))
    yes, no = _YES.render(lang), _NO.render(lang)
    for row in rows:
        cells = [row.sp_id, row.name, yes if row.public_service else no]
        if isinstance(row, Consent):
            cells.append(row.granted_at.astimezone().strftime("%d/%m/%Y %H:%M"))
        out.add_row(*cells)
    return out
