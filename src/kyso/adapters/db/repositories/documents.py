"""Documents to sign: their records (the bytes are in the blob store)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from kyso.adapters.db.tables.documents import documents
from kyso.signing.document import (
    Document,
    DocumentFormat,
    DocumentStatus,
    Level,
    SignOptions,
)

__all__ = ["SqlDocumentRepository"]

_t = documents.c
_BY_ID = select(documents).where(_t.id == bindparam("document_id"))
_BY_ID_LOCKED = _BY_ID.with_for_update()
_FOR_ACCOUNT = (select(documents).where(_t.account_id == bindparam("account_id"))
                .order_by(_t.created_at.desc()).limit(bindparam("limit")))
_INSERT = insert(documents)
_SAVE = (update(documents).where(_t.id == bindparam("document_id"))
         .values(status=bindparam("status"), transaction_id=bindparam("transaction_id"),
                 signed_sha256=bindparam("signed_sha256"),
                 signed_size=bindparam("signed_size"), signed_at=bindparam("signed_at"),
                 error=bindparam("error"), level=bindparam("level"),
                 visible=bindparam("visible"), reason=bindparam("reason"),
                 location=bindparam("location"), stamp_page=bindparam("stamp_page"),
                 stamp_box=bindparam("stamp_box"), stamp_image=bindparam("stamp_image")))
_SAVED = ("status", "transaction_id", "signed_sha256", "signed_size", "signed_at", "error",
          "level", "visible", "reason", "location", "stamp_page", "stamp_box", "stamp_image")


def _values(d: Document) -> dict[str, Any]:
    o = d.options
    return {"id": d.id, "account_id": d.account_id, "credential_id": d.credential_id,
            "format": d.format.value, "file_name": d.file_name, "size": d.size,
            "sha256": d.sha256, "level": o.level.value, "visible": o.visible,
            "reason": o.reason, "location": o.location, "status": d.status.value,
            "transaction_id": d.transaction_id, "signed_sha256": d.signed_sha256,
            "signed_size": d.signed_size, "created_at": d.created_at,
            "signed_at": d.signed_at, "error": d.error, "stamp_page": o.page,
            "stamp_box": " ".join(f"{v:g}" for v in o.box) if o.box else None,
            "stamp_image": o.image}


def _document(row: Row[Any]) -> Document:
    m = dict(row._mapping)
    box = m.pop("stamp_box")
    options = SignOptions(Level(m.pop("level")), bool(m.pop("visible")), m.pop("reason"),
                          m.pop("location"), m.pop("stamp_page"),
                          tuple(float(v) for v in box.split()) if box else None,  # type: ignore[arg-type]
                          m.pop("stamp_image"))
    return Document(**m | {"format": DocumentFormat(m["format"]),
                           "status": DocumentStatus(m["status"]), "options": options})


class SqlDocumentRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, document: Document) -> None:
        self._conn.execute(_INSERT, _values(document))

    def get(self, document_id: str, *, for_update: bool = False) -> Document | None:
        query = _BY_ID_LOCKED if for_update else _BY_ID
        row = self._conn.execute(query, {"document_id": document_id}).first()
        return _document(row) if row else None

    def for_account(self, account_id: str, limit: int) -> list[Document]:
        rows = self._conn.execute(_FOR_ACCOUNT, {"account_id": account_id, "limit": limit})
        return [_document(row) for row in rows]

    def save(self, document: Document) -> None:
        values = {k: v for k, v in _values(document).items() if k in _SAVED}
        values["document_id"] = document.id
        self._conn.execute(_SAVE, values)
