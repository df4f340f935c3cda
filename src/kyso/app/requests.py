"""Signing requests from relying parties (the SP769 API): pending transactions of the kind
``sp769_sign``, shown with the relying party, the description and every document id.

They are transactions like any other: ``kyso app confirm ID`` shows every detail, checks the
server's question is the challenge of exactly those details, asks the SmartOTP PIN and fills
in the code; ``kyso app reject ID`` refuses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rich.table import Table

from kyso.app import transactions
from kyso.app.context import AppContext
from kyso.app.i18n import Lang, Msg
from kyso.app.models import Transaction
from kyso.app.views import id_column

__all__ = ["HINT", "KIND", "NONE", "SignRequest", "pending", "requests_table"]

KIND = "sp769_sign"
NONE = Msg("Không có yêu cầu ký số nào đang chờ xác nhận.",
           "No signing request is waiting for confirmation.")
HINT = Msg("Xác nhận: kyso app confirm ID · Từ chối: kyso app reject ID",
           "Confirm: kyso app confirm ID · Reject: kyso app reject ID")
_HEADERS = (Msg("Giao dịch", "Transaction"), Msg("Bên yêu cầu", "Requested by"),
            Msg("Nội dung", "Description"), Msg("Tài liệu", "Documents"),
            Msg("Hết hạn", "Expires"))


@dataclass(frozen=True)
class SignRequest:
    id: str
    relying_party: str
    description: str
    doc_ids: tuple[str, ...]
    expires_at: datetime
    method: str

    @classmethod
    def of(cls, tx: Transaction) -> SignRequest:
        d = tx.details
        return cls(tx.id, d.get("relying_party", "?"), d.get("transaction_desc", ""),
                   tuple(d.get("doc_ids", "").splitlines()), tx.expires_at, tx.method)

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "relying_party": self.relying_party,
                "transaction_desc": self.description, "doc_ids": list(self.doc_ids),
                "expires_at": self.expires_at.isoformat(), "method": self.method}


def pending(ctx: AppContext) -> list[SignRequest]:
    return [SignRequest.of(tx) for tx in transactions.pending(ctx) if tx.kind == KIND]


def requests_table(requests: list[SignRequest], lang: Lang) -> Table:
    [first, *rest] = (h.render(lang) for h in _HEADERS)
    table = Table(id_column(first, [r.id for r in requests]), *rest)
    for r in requests:
        table.add_row(r.id, r.relying_party, r.description, "\n".join(r.doc_ids),
                      f"{r.expires_at.astimezone():%d/%m/%Y %H:%M}")
    return table
