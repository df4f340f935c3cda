"""A batch receipt's content: the jobs' canonical claims written in as they are must be the
very text the whole batch made canonical again would be (sorted keys, no spaces, UTF-8)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from kyso.signing.receipt_jobs import (
    RECEIPT_TYPE,
    ReceiptJob,
    ReceiptKind,
    batch_claims,
    canonical,
    receipt_job,
    with_audit_position,
)

NOW = datetime(2026, 12, 6, 20, 30, tzinfo=UTC)


def _jobs(account: str = "acc-1", party: str | None = None) -> list[ReceiptJob]:
    jobs = []
    for n in range(4):
        claims = {"hashes": [f"{n:064x}"], "hash_algorithm": "sha256",
                  "signer": {"name": "CN=Nguyễn Văn Ấn, O=Công ty Đại Việt", "serial": "1A"},
                  "relying_party": "Cổng dịch vụ công" if n % 2 else "CSC API",
                  "note": None, "count": n, "ratio": 0.5, "ok": n % 2 == 0}
        job = receipt_job(NOW, ReceiptKind.SIGN_HASH, account, claims,
                          {"pending": 40 + n}, party_id=party)
        if n % 2:  # a pending position filled by the worker (batched audit), as it seals it
            job = replace(job, claims=with_audit_position(job.claims, 7 + n, "ab" * 32))
        jobs.append(job)
    return jobs


def test_the_batch_is_the_canonical_text_of_its_parts() -> None:
    jobs = _jobs()
    text = batch_claims(jobs)
    parsed = json.loads(text)
    assert parsed == {"type": RECEIPT_TYPE, "version": 2, "batch": True, "kind": "signHash",
                      "ids": [j.id for j in jobs],
                      "receipts": [json.loads(j.claims) for j in jobs]}
    assert text == canonical(parsed)  # byte for byte: what the CMS seals
    assert "Nguyễn Văn Ấn" in text  # UTF-8 kept, not escaped


def test_one_batch_is_one_account_one_party_one_kind() -> None:
    with pytest.raises(ValueError):
        batch_claims(_jobs("acc-1") + _jobs("acc-2"))
    with pytest.raises(ValueError):
        batch_claims(_jobs(party=None) + _jobs(party="rp-1"))
