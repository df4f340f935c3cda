"""Indexes that leave out the rows a signature writes without a key (issue 14): an inline audit
record's NULL ``pending_id``, a customer's own receipt job's NULL ``party_id``, a debit's
ledger entry (no ``source``; by time, only credits and grants). Each left-out entry was one
page more in every signHash commit. The keys they do hold stay unique and found by their
index."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine, event, insert, select, text
from sqlalchemy.exc import IntegrityError

from kyso.adapters.db.repositories.quota import SqlQuotaRepository
from kyso.adapters.db.tables.audit import audit_records
from kyso.adapters.db.tables.quota import quota_entries

AT = datetime(2027, 1, 15, 8, 0, tzinfo=UTC)
PARTIAL = {"ix_audit_records_pending_id": "pending_id IS NOT NULL",
           "ix_signing_receipts_party": "party_id IS NOT NULL",
           "ix_quota_entries_source": "source IS NOT NULL",
           "ix_quota_entries_at": "'unlimited'"}  # SQLite: IN (…); PostgreSQL: = ANY (…)


def _definition(engine: Engine, name: str) -> str:
    query = ("SELECT sql FROM sqlite_master WHERE name = :name"
             if engine.dialect.name == "sqlite"
             else "SELECT indexdef FROM pg_indexes WHERE indexname = :name")
    with engine.connect() as conn:
        return str(conn.execute(text(query), {"name": name}).scalar_one())


@pytest.mark.parametrize("name", sorted(PARTIAL))
def test_the_migrations_make_the_index_partial(engine: Engine, name: str) -> None:
    definition = " ".join(_definition(engine, name).replace("(", " ").replace(")", " ").split())
    assert PARTIAL[name] in definition, definition


def _record(seq: int, pending_id: int | None) -> dict[str, object]:
    return {"seq": seq, "at": AT, "action": "test.index", "outcome": "success", "actor": None,
            "subject": None, "details": "{}", "prev_hash": "0" * 64, "hash": "1" * 64,
            "pending_id": pending_id}


def test_a_pending_id_is_still_unique_and_nulls_are_many(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(insert(audit_records), [_record(1, None), _record(2, None),
                                             _record(3, 7)])
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(audit_records), _record(4, 7))


def test_a_source_is_still_unique_per_credential_and_kind(engine: Engine) -> None:
    def entry(entry_id: str, kind: str, source: str | None) -> dict[str, object]:
        return {"id": entry_id, "credential_id": "c-1", "kind": kind, "basis": "quota",
                "count": 1, "at": AT, "source": source, "reservation": None, "until": None,
                "relying_party": None}

    with engine.begin() as conn:
        conn.execute(insert(quota_entries), [entry("e1", "reserve", None),
                                             entry("e2", "reserve", None),
                                             entry("e3", "credit", "order-1")])
    with engine.begin() as conn, pytest.raises(IntegrityError):
        conn.execute(insert(quota_entries), entry("e4", "credit", "order-1"))


def test_sqlite_finds_pending_ids_by_their_index(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL's planner picks by the table's size; SQLite's plan is fixed")
    query = select(audit_records.c.seq).where(audit_records.c.pending_id.in_([7, 8]))
    compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in
                        conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}"))
    assert "ix_audit_records_pending_id" in plan, plan


def test_the_provisioning_report_finds_credits_by_their_index(engine: Engine) -> None:
    def entry(entry_id: str, kind: str, day: int) -> dict[str, object]:
        return {"id": entry_id, "credential_id": f"c-{entry_id}", "kind": kind,
                "basis": "quota", "count": 1, "at": AT.replace(day=day),
                "source": f"order-{entry_id}" if kind != "consume" else None,
                "reservation": None, "until": AT if kind == "unlimited" else None,
                "relying_party": None}

    with engine.begin() as conn:
        conn.execute(insert(quota_entries), [entry("1", "credit", 10), entry("2", "consume", 16),
                                             entry("3", "unlimited", 17),
                                             entry("4", "credit", 20)])
    ran: list[tuple[str, object]] = []
    with engine.connect() as conn:
        event.listen(conn, "before_cursor_execute",
                     lambda _c, _k, sql, params, _x, _m: ran.append((sql, params)))
        repository = SqlQuotaRepository(conn)
        assert repository.provisioned(AT, AT.replace(day=20)) == ["c-3"]  # no signature's
        assert sorted(repository.provisioned(None, None)) == ["c-1", "c-3", "c-4"]
        if engine.dialect.name != "sqlite":
            return  # PostgreSQL's planner picks by the table's size; SQLite's plan is fixed
        sql, params = ran[0]
        plan = " ".join(str(row[-1]) for row in
                        conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
    assert "ix_quota_entries_at" in plan, plan
