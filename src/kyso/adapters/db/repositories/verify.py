"""Signature records (``/v/<id>``) and the receipts' blob names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select

from kyso.adapters.db.tables.verify import signature_records
from kyso.signing.records import SignatureRecord

__all__ = ["SqlRecordRepository"]

_t = signature_records.c
_BY_ID = select(signature_records).where(_t.id == bindparam("record_id"))
_BY_DOCUMENT = (select(signature_records).where(_t.document_id == bindparam("document_id"))
                .order_by(_t.created_at.desc()).limit(1))
_FOR_ACCOUNT = (select(signature_records).where(_t.account_id == bindparam("account_id"))
                .order_by(_t.created_at.desc()).limit(bindparam("limit")))


def _record(row: Row[Any]) -> SignatureRecord:
    m = dict(row._mapping)
    return SignatureRecord(**m | {"serial": int(m["serial"], 16)})


class SqlRecordRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, record: SignatureRecord) -> None:
        values = asdict(record) | {"serial": f"{record.serial:X}"}
        self._conn.execute(insert(signature_records), values)

    def get(self, record_id: str) -> SignatureRecord | None:
        row = self._conn.execute(_BY_ID, {"record_id": record_id}).first()
        return _record(row) if row else None

    def for_document(self, document_id: str) -> SignatureRecord | None:
        row = self._conn.execute(_BY_DOCUMENT, {"document_id": document_id}).first()
        return _record(row) if row else None

    def for_account(self, account_id: str, limit: int = 500) -> Sequence[SignatureRecord]:
        rows = self._conn.execute(_FOR_ACCOUNT, {"account_id": account_id, "limit": limit})
        return [_record(r) for r in rows]
