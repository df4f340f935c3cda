"""A batch of receipt jobs recorded made (``ReceiptJobRepository.made_all``), on both
databases: every job of the batch gets the receipt's digest; the claims it was sealed with
replace the queued ones where given (canonical JSON: quotes, backslashes, Vietnamese) and
stay as queued where not; a job already made is not made again; claims that are not
canonical JSON are refused before anything is written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from kyso.adapters.db.tables.verify import signing_receipts
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.signing.receipt_jobs import ReceiptKind, canonical, receipt_job

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ACCOUNT = "a0000000-0000-4000-8000-000000000001"
SHA = "ab" * 32


def _queued(engine: Engine, count: int) -> list[str]:
    with SqlUnitOfWork(engine) as uow:
        jobs = [receipt_job(T0, ReceiptKind.SIGN_HASH, ACCOUNT, {"hashes": [f"{i:064x}"]},
                            {"pending": i + 1}) for i in range(count)]
        for job in jobs:
            uow.receipts.add(job)
        uow.commit()
    return [job.id for job in jobs]


def _rows(engine: Engine) -> dict[str, tuple[str, str | None]]:
    c = signing_receipts.c
    with engine.connect() as conn:
        return {r.id: (r.claims, r.receipt_sha256)
                for r in conn.execute(select(c.id, c.claims, c.receipt_sha256))}


def _sealed(job_id: str, seq: int) -> str:
    return canonical({"id": job_id, "audit": {"seq": seq, "hash": "\"q\"\\x"},
                      "signer": {"name": "Đặng Thị Huệ \"Huệ\""}, "note": "a,b}{c"})


def _made(engine: Engine, ids: list[str], claims: dict[str, str] | None) -> int:
    with SqlUnitOfWork(engine) as uow:
        done = uow.receipts.made_all(ids, SHA, T0 + timedelta(seconds=5), claims)
        uow.commit()
    return done


@pytest.mark.parametrize("count, sealed", [
    (1, []), (1, [0]), (2, []), (3, [0, 2]), (250, list(range(0, 250, 3)))])
def test_each_job_gets_the_receipt_and_its_sealed_claims_where_given(
        engine: Engine, count: int, sealed: list[int]) -> None:
    ids = _queued(engine, count)
    queued = _rows(engine)
    claims = {ids[i]: _sealed(ids[i], i + 10) for i in sealed}
    assert _made(engine, ids, claims or None) == count
    rows = _rows(engine)
    for job_id in ids:
        assert rows[job_id] == (claims.get(job_id, queued[job_id][0]), SHA)
    for text in claims.values():
        json.loads(text)  # stored exactly as given, still JSON
    assert _made(engine, ids, claims or None) == 0  # made once


@pytest.mark.parametrize("bad", ["", "{\"a\":\"\x1f\"}"])
def test_claims_that_are_not_canonical_json_are_refused_and_nothing_is_made(
        engine: Engine, bad: str) -> None:
    ids = _queued(engine, 2)
    before = _rows(engine)
    with pytest.raises(ValueError):
        _made(engine, ids, {ids[0]: _sealed(ids[0], 1), ids[1]: bad})
    assert _rows(engine) == before
