"""Signature records (``/v/<id>``) and the receipts' blob names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Text,
    bindparam,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.tables.verify import signature_records, signing_receipts
from kyso.signing.receipt_jobs import ClaimedJob, ReceiptJob
from kyso.signing.records import SignatureRecord

__all__ = ["SqlReceiptJobRepository", "SqlRecordRepository"]

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


_j = signing_receipts.c
_JOB = select(signing_receipts).where(_j.id == bindparam("receipt_id"))
_JOBS_FOR_ACCOUNT = (select(signing_receipts).where(_j.account_id == bindparam("account_id"))
                     .order_by(_j.created_at.desc()).limit(bindparam("limit")))


_INSERT_JOB = Prepared(insert(signing_receipts))
# PostgreSQL: a batch's jobs recorded made, with the claims they were sealed with where given
# (NULL: as queued), the ids as an array and the claims as one text that the database splits
# at U+001F (the unit separator, which canonical JSON never holds unescaped; '' for none)
# — one statement whatever the batch's size, where an IN list had a parameter a job and the
# claims a statement a job. Not a text array: psycopg writes one in Python, escaping each
# double quote of each claim through a regular expression's template, a tenth of the duties
# process's time under a signHash load.
_CLAIMS_SEPARATOR = "\x1f"
_batch = (func.unnest(bindparam("b_ids", type_=postgresql.ARRAY(Text)),
                      func.string_to_array(bindparam("b_claims", type_=Text),
                                           literal_column(f"chr({ord(_CLAIMS_SEPARATOR)})"),
                                           literal_column("''")))
          .table_valued("id", "claims").render_derived(name="batch"))
_MADE_PG = Prepared(
    update(signing_receipts)
    .where(_j.id == _batch.c.id, _j.receipt_sha256.is_(None))
    .values(claims=func.coalesce(_batch.c.claims, _j.claims),
            receipt_sha256=bindparam("b_sha"), made_at=bindparam("b_at"), leased_until=None,
            error=None))
_RECORDED_PG = Prepared(
    update(signature_records)
    .where(_t.id == func.any(bindparam("b_ids", type_=postgresql.ARRAY(Text))),
           _t.receipt_sha256.is_(None))
    .values(receipt_sha256=bindparam("b_sha")))


def _job(row: Row[Any]) -> ReceiptJob:
    m = dict(row._mapping)
    m.pop("leased_until")
    return ReceiptJob(**m)


class SqlReceiptJobRepository:
    """Receipts to make and made. ``claim_due`` leases a batch (``SKIP LOCKED`` on
    PostgreSQL: concurrent workers take disjoint ones; SQLite has one writer at a time)."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, job: ReceiptJob) -> None:
        # a shallow copy (every field is a scalar; asdict deep-copies) and a statement built
        # once: this runs in every signHash's transaction
        _INSERT_JOB.execute(self._conn, {**job.__dict__, "leased_until": None})

    def get(self, receipt_id: str) -> ReceiptJob | None:
        row = self._conn.execute(_JOB, {"receipt_id": receipt_id}).first()
        return _job(row) if row else None

    def claim_due(self, now: datetime, lease_until: datetime, limit: int) -> list[ClaimedJob]:
        return self._claim(now, lease_until, limit)

    def claim_group(self, now: datetime, lease_until: datetime, limit: int, *,
                    account_id: str, party_id: str | None, kind: str) -> list[ClaimedJob]:
        party = _j.party_id.is_(None) if party_id is None else _j.party_id == party_id
        return self._claim(now, lease_until, limit, _j.account_id == account_id,
                           _j.kind == kind, party)

    def _claim(self, now: datetime, lease_until: datetime, limit: int,
               *where: ColumnElement[bool]) -> list[ClaimedJob]:
        # one statement: the due jobs picked (locked, skipping those another worker holds),
        # leased and returned — where it was a select, an update and a select again of up to
        # a batch of ids each; returned as four short strings a job, not as jobs
        due = (select(_j.id)
               .where(_j.receipt_sha256.is_(None), _j.due_at <= now,
                      or_(_j.leased_until.is_(None), _j.leased_until <= now), *where)
               .order_by(_j.due_at, _j.id).limit(limit)
               .with_for_update(skip_locked=True))
        rows = self._conn.execute(update(signing_receipts).where(_j.id.in_(due))
                                  .values(leased_until=lease_until)
                                  .returning(_j.id, _j.account_id, _j.party_id, _j.kind))
        return [ClaimedJob(*row) for row in rows]

    def leased(self, receipt_ids: Sequence[str]) -> list[ReceiptJob]:
        if not receipt_ids:
            return []
        rows = self._conn.execute(select(signing_receipts).where(_j.id.in_(receipt_ids))
                                  .order_by(_j.due_at, _j.id))
        return [_job(r) for r in rows]

    def made(self, receipt_id: str, sha256: str, at: datetime,
             claims: str | None = None) -> bool:
        values: dict[str, object] = {"receipt_sha256": sha256, "made_at": at,
                                     "leased_until": None, "error": None}
        if claims is not None:
            values["claims"] = claims
        done = self._conn.execute(
            update(signing_receipts)
            .where(_j.id == receipt_id, _j.receipt_sha256.is_(None))
            .values(values))
        if done.rowcount != 1:
            return False
        self._conn.execute(update(signature_records)
                           .where(_t.id == receipt_id, _t.receipt_sha256.is_(None))
                           .values(receipt_sha256=sha256))
        return True

    def made_all(self, receipt_ids: Sequence[str], sha256: str, at: datetime,
                 claims: Mapping[str, str] | None = None) -> int:
        """Each job not recorded yet gets the receipt (and its sealed claims, where given),
        and so does the signature record of the same id: on PostgreSQL two statements for
        the batch, the ids sent as an array and the claims as one text; on SQLite one more,
        per job, for the claims (which only a batched audit chain changes). Claims that are
        not canonical JSON (empty, or holding U+001F) are refused (ValueError) before
        anything is written."""
        if not receipt_ids:
            return 0
        ids, claims = list(receipt_ids), claims or {}
        if any(_CLAIMS_SEPARATOR in text or not text for text in claims.values()):
            raise ValueError("sealed claims are canonical JSON")
        if self._conn.dialect.name == "postgresql":
            done = _MADE_PG.execute(self._conn, {
                "b_ids": ids, "b_claims": _CLAIMS_SEPARATOR.join(claims.get(i, "") for i in ids),
                "b_sha": sha256, "b_at": at}).rowcount
            if done:
                _RECORDED_PG.execute(self._conn, {"b_ids": ids, "b_sha": sha256})
            return done
        if claims:
            self._conn.execute(
                update(signing_receipts)
                .where(_j.id == bindparam("b_id"), _j.receipt_sha256.is_(None))
                .values(claims=bindparam("b_claims")),
                [{"b_id": job_id, "b_claims": text} for job_id, text in claims.items()])
        count = self._conn.execute(
            update(signing_receipts)
            .where(_j.id.in_(ids), _j.receipt_sha256.is_(None))
            .values(receipt_sha256=sha256, made_at=at, leased_until=None, error=None),
        ).rowcount
        if count:
            self._conn.execute(update(signature_records)
                               .where(_t.id.in_(ids), _t.receipt_sha256.is_(None))
                               .values(receipt_sha256=sha256))
        return int(count)

    def retry(self, receipt_id: str, attempts: int, due_at: datetime, error: str) -> None:
        self._conn.execute(
            update(signing_receipts)
            .where(_j.id == receipt_id, _j.receipt_sha256.is_(None))
            .values(attempts=attempts, due_at=due_at, error=error[:200], leased_until=None))

    def for_account(self, account_id: str, limit: int = 500) -> Sequence[ReceiptJob]:
        rows = self._conn.execute(_JOBS_FOR_ACCOUNT, {"account_id": account_id,
                                                      "limit": limit})
        return [_job(r) for r in rows]
