"""A short signing's writes as one statement (``UnitOfWork.record_signature``,
adapters/db/signature_write.py; issue 14): on PostgreSQL with the audit chain batched all of
it lands, or nothing does when the SAD or the quota is not as the statement needs; in a
read-only unit of work (autocommit) it is its own transaction. Elsewhere nothing is tried.
And the read before it: the SAD and the certificate in one statement, on both databases."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, insert, select

from kyso.adapters.db.tables.accounts import accounts
from kyso.adapters.db.tables.audit import audit_pending, audit_records
from kyso.adapters.db.tables.onboarding import registrations
from kyso.adapters.db.tables.pki import pki_authorities, pki_keys
from kyso.adapters.db.tables.quota import quota_accounts, quota_entries
from kyso.adapters.db.tables.signing import signature_activations
from kyso.adapters.db.tables.verify import signing_receipts
from kyso.adapters.db.uow import SqlUnitOfWork
from kyso.audit.model import AuditEvent, Outcome
from kyso.billing.quota import Basis, Debit, EntryKind, LedgerEntry
from kyso.pki.model import IssuedCertificate
from kyso.signing.model import SignatureActivation
from kyso.signing.ports import SignatureWrite
from kyso.signing.receipt_jobs import (
    PENDING_TO_FILL,
    ReceiptKind,
    audit_pending_id,
    receipt_job,
)
from kyso.signing.records import new_record_id

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)
ACCOUNT, CREDENTIAL = "a0000000-0000-4000-8000-000000000001", "cred-1"
HASHES = ("qUiQTy8PR5uPgZdpSzAYSw0u0cHNKh7A+4XSmaGSpEc=",)
SIGNATURE = bytes(range(256))


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    """A customer with a SAD and 3 signatures credited."""
    with engine.begin() as conn:
        conn.execute(insert(accounts).values(
            id=ACCOUNT, username="kh1", full_name="Đặng Thị Huệ", phone="+84912345671",
            email="kh1@example.vn", role="customer", status="active", locale="vi",
            password_hash="x", pin_hash="x", password_failures=0, password_locks=0,
            pin_failures=0, pin_locks=0, created_at=T0))
    with SqlUnitOfWork(engine, audit_chain="batched") as uow:
        uow.signing.add(_sad())
        account = uow.quota.open_account(CREDENTIAL, T0)
        uow.quota.save_account(replace(account, credited=3))
        uow.commit()
    return engine


@pytest.fixture
def pg(seeded: Engine) -> Engine:
    if seeded.dialect.name != "postgresql":
        pytest.skip("one statement of data-modifying CTEs: PostgreSQL's")
    return seeded


def _sad() -> SignatureActivation:
    return SignatureActivation("sad-1", "f" * 64, ACCOUNT, CREDENTIAL, "SHA256", HASHES, T0,
                               T0 + timedelta(minutes=5))


def _write(count: int = 1, *, read: SignatureActivation | None = None,
           gated: bool = False) -> SignatureWrite:
    read = read or _sad()
    at = T0 + timedelta(seconds=1)
    entry = LedgerEntry("e-1", CREDENTIAL, EntryKind.CONSUME, count, at, basis=Basis.QUOTA)
    job = receipt_job(at, ReceiptKind.SIGN_HASH, ACCOUNT,
                      {"note": '"pending":0 in a value'},
                      {"pending": PENDING_TO_FILL}, receipt_id=new_record_id())
    event = AuditEvent("signing.signed", Outcome.SUCCESS, actor=ACCOUNT, subject=CREDENTIAL,
                       details={"sad": read.id, "count": count})
    return SignatureWrite(read, replace(read, signed=read.signed + HASHES), "sha256WithRSA",
                          {HASHES[0]: base64.b64encode(SIGNATURE).decode()}, event, at,
                          Debit(CREDENTIAL, count, at, entry,
                                unless_awaiting_acceptance=gated), job)


def _record(engine: Engine, write: SignatureWrite) -> bool | None:
    with SqlUnitOfWork(engine, audit_chain="batched", read_only=True) as uow:
        return uow.record_signature(write)  # autocommit: committed on return


def _state(engine: Engine) -> dict[str, object]:
    with engine.connect() as conn:
        sad = conn.execute(select(signature_activations)).one()
        return {
            "signed": json.loads(sad.signed), "kept": sad.kept,
            "pending": conn.execute(select(audit_pending)).all(),
            "receipts": conn.execute(select(signing_receipts)).all(),
            "consumed": conn.execute(select(quota_accounts.c.consumed)).scalar_one(),
            "entries": conn.execute(select(func.count()).select_from(quota_entries))
            .scalar_one()}


def test_all_of_it_in_one_statement(pg: Engine) -> None:
    assert _record(pg, _write()) is True
    state = _state(pg)
    assert state["signed"] == list(HASHES)
    assert state["kept"] == f"sha256WithRSA {HASHES[0]} {base64.b64encode(SIGNATURE).decode()}\n"
    [pending] = state["pending"]
    assert (pending.action, pending.actor, pending.subject) == ("signing.signed", ACCOUNT,
                                                                CREDENTIAL)
    assert json.loads(pending.details) == {"sad": "sad-1", "count": 1}
    [job] = state["receipts"]
    assert audit_pending_id(job.claims) == pending.id  # the event's id filled in
    claims = json.loads(job.claims)
    assert claims["note"] == '"pending":0 in a value'  # a value's text left as it was
    assert claims["audit"] == {"pending": pending.id}
    assert state["consumed"] == 1 and state["entries"] == 1


def test_a_sad_changed_since_read_writes_nothing(pg: Engine) -> None:
    stale = replace(_sad(), signed=("b3RoZXI=",))  # not what the row holds
    assert _record(pg, _write(read=stale)) is False
    _nothing_written(pg)


def _nothing_written(engine: Engine) -> None:
    state = _state(engine)
    assert state["signed"] == [] and state["kept"] == ""
    assert state["pending"] == [] and state["receipts"] == []
    assert state["consumed"] == 0 and state["entries"] == 0


@pytest.mark.parametrize("change", ["too few left", "held", "unlimited", "revoked"])
def test_a_sad_or_a_quota_otherwise_than_needed_writes_nothing(pg: Engine,
                                                              change: str) -> None:
    with SqlUnitOfWork(pg, audit_chain="batched") as uow:
        account = uow.quota.account(CREDENTIAL)
        assert account is not None
        if change == "held":  # a reservation to expire first: the general path's
            uow.quota.save_account(replace(account, reserved=1))
        elif change == "unlimited":  # counted as unlimited: the general path's
            uow.quota.save_account(replace(account, unlimited_until=T0 + timedelta(days=1)))
        elif change == "revoked":
            uow.signing.save(replace(_sad(), revoked_at=T0))
        uow.commit()
    assert _record(pg, _write(count=4 if change == "too few left" else 1)) is False  # 3 left
    _nothing_written(pg)


def test_the_acceptance_gate_takes_nothing_for_an_approved_registration(pg: Engine) -> None:
    with pg.begin() as conn:
        conn.execute(insert(registrations).values(
            id="reg-1", account_id=ACCOUNT, state="approved", uid="CCCD:001", device_id="d",
            credential_id=CREDENTIAL, seq=1, body="{}", created_at=T0, updated_at=T0))
    assert _record(pg, _write(gated=True)) is False
    _nothing_written(pg)
    assert _record(pg, _write()) is True  # the ledger's own question has no gate


def test_in_a_writing_unit_of_work_it_is_part_of_the_transaction(pg: Engine) -> None:
    with SqlUnitOfWork(pg, audit_chain="batched") as uow:
        assert uow.record_signature(_write()) is True
        uow.rollback()
    _nothing_written(pg)


def test_claims_without_the_event_to_fill_are_refused(pg: Engine) -> None:
    write = _write()
    assert write.receipt is not None
    bad = replace(write, receipt=replace(write.receipt, claims='{"audit":{"seq":1}}'))
    with pytest.raises(ValueError, match="pending event"), \
            SqlUnitOfWork(pg, audit_chain="batched", read_only=True) as uow:
        uow.record_signature(bad)
    _nothing_written(pg)


def test_no_receipt_and_inline_chains(pg: Engine) -> None:
    assert _record(pg, replace(_write(), receipt=None)) is True
    assert _state(pg)["receipts"] == []
    with SqlUnitOfWork(pg, audit_chain="inline") as uow:  # each append locks the head
        assert uow.record_signature(_write()) is None
    with pg.connect() as conn:
        assert conn.execute(select(func.count()).select_from(audit_records)).scalar() == 0


def test_sqlite_writes_piece_by_piece(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite's case")
    with SqlUnitOfWork(engine) as uow:
        assert uow.record_signature(_write()) is None


def test_the_sad_and_the_certificate_in_one_read(seeded: Engine) -> None:
    """The read before a signing (both databases): one row whatever exists."""
    serial = 0x1F2E3D
    certificate = IssuedCertificate("kyso-ca", serial, "ĐẶNG THỊ HUỆ", b"\x30\x03\x02\x01\x01",
                                    T0, T0 + timedelta(days=365), T0, uid="CCCD:001",
                                    account_id=ACCOUNT)
    with seeded.begin() as conn:  # the issuing CA and its key, as the rows need them
        conn.execute(insert(pki_keys).values(key_id="key-ca", algorithm="RSA-2048",
                                             backend="software", label="CA", public_key=b"k",
                                             ref=b"r", created_at=T0))
        conn.execute(insert(pki_authorities).values(name="kyso-ca", role="issuing",
                                                    key_id="key-ca", serial="1",
                                                    certificate=b"c", created_at=T0))
    with SqlUnitOfWork(seeded) as uow:
        uow.pki.add_certificate(certificate)
        uow.commit()
    with SqlUnitOfWork(seeded, read_only=True) as uow:
        assert uow.signing.with_certificate("f" * 64, "kyso-ca", serial) == (_sad(),
                                                                             certificate)
        assert uow.signing.with_certificate("f" * 64, "kyso-ca", serial + 1) == (_sad(), None)
        assert uow.signing.with_certificate("e" * 64, "kyso-ca", serial) == (None,
                                                                             certificate)
        assert uow.signing.with_certificate("e" * 64, "other-ca", serial) == (None, None)
