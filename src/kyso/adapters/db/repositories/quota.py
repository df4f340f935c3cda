"""SQL repository of the quota ledger. Works inside the caller's transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    bindparam,
    delete,
    exists,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.tables.onboarding import registrations
from kyso.adapters.db.tables.quota import (
    PROVISIONED,
    quota_accounts,
    quota_entries,
    quota_holds,
)
from kyso.billing.quota import Basis, Debit, EntryKind, Hold, LedgerEntry, QuotaAccount

__all__ = ["SqlQuotaRepository", "debit_entries", "debit_values", "takeable", "taken_from"]

_a, _e, _h = quota_accounts.c, quota_entries.c, quota_holds.c
_r = registrations.c
# the statements of the signing path, built once (reserve, commit, release run per signature)
_ACCOUNT = select(quota_accounts).where(_a.credential_id == bindparam("b_credential"))
_LOCKED = _ACCOUNT.with_for_update()
_SAVE_ACCOUNT = update(quota_accounts).where(_a.credential_id == bindparam("b_credential"))
_ADD_ENTRY = Prepared(insert(quota_entries))
_ADD_HOLD = insert(quota_holds)
# when a debit may take from the account's totals as they are: no hold to expire, no
# unlimited term, enough left
_TAKEABLE = (_a.credential_id == bindparam("b_credential"), _a.reserved == 0,
             or_(_a.unlimited_until.is_(None), _a.unlimited_until <= bindparam("b_now")),
             _a.credited - _a.consumed >= bindparam("b_count"))
# an onboarding registration awaits this credential's acceptance record (the acceptance
# gate's question, asked in the same statement instead of a locked read of its own; an
# approved registration falls back to that read: the rare case)
_AWAITING = exists().where(_r.credential_id == bindparam("b_credential"), _r.state == "approved")
# the signing path's debit in one statement: the row's lock, the check and the change at once
# (PostgreSQL re-checks the condition on the row a concurrent debit just committed)
# what a debit changes in the account's totals
_DEBITED = {"consumed": _a.consumed + bindparam("b_count"), "updated_at": bindparam("b_now")}
_TAKE_QUERY = update(quota_accounts).where(*_TAKEABLE).values(_DEBITED)
_TAKE_UNLESS_AWAITING_QUERY = _TAKE_QUERY.where(~_AWAITING)


def takeable(*, unless_awaiting: bool) -> Select[Any]:
    """PostgreSQL: the account's row, locked, if ``_TAKE_QUERY`` (or, ``unless_awaiting``,
    ``_TAKE_UNLESS_AWAITING_QUERY``) would take from it; nothing (and no lock) if not."""
    query = select(_a.credential_id).where(*_TAKEABLE)
    return (query.where(~_AWAITING) if unless_awaiting else query).with_for_update()


def taken_from(after: Any) -> Any:
    """The account's totals debited (bind parameters as ``_TAKE_QUERY``'s) if the CTE
    ``after`` returned a row, with no other condition: for a statement where ``after``
    follows :func:`takeable`, which checked them under the row's lock."""
    return (update(quota_accounts)
            .where(_a.credential_id == bindparam("b_credential"), exists(select(after)))
            .values(_DEBITED))


def debit_entries(after: Any) -> Any:
    """PostgreSQL: the INSERT of a debit's ledger entry (bind parameters ``e_<column>``) if
    the CTE ``after`` returned a row."""
    row = select(*(bindparam(f"e_{c.name}", type_=c.type).label(c.name) for c in _e))
    return (insert(quota_entries)
            .from_select([c.name for c in _e], row.where(exists(select(after)))))


def _taken_then(take: Any) -> Any:
    """PostgreSQL: ``take`` and, if it took, a debit's ledger entry, one statement (the
    UPDATE in a CTE): one round trip fewer, and the account's row held one round trip less
    until the commit."""
    taken = take.returning(_a.credential_id).cte("taken")
    return debit_entries(taken).add_cte(taken).returning(_e.id)  # rows inserted: 1, or 0


def debit_values(debit: Debit) -> dict[str, Any]:
    """The parameters of a debit's statements (the take, the entry)."""
    e = debit.entry
    return ({"b_credential": debit.credential_id, "b_count": debit.count, "b_now": debit.at}
            | {f"e_{name}": value for name, value in e.__dict__.items()}
            | {"e_kind": e.kind.value, "e_basis": e.basis.value})


_TAKE = Prepared(_TAKE_QUERY)
_TAKE_UNLESS_AWAITING = Prepared(_TAKE_UNLESS_AWAITING_QUERY)
_TAKEN_THEN = Prepared(_taken_then(_TAKE_QUERY))
_TAKEN_THEN_UNLESS_AWAITING = Prepared(_taken_then(_TAKE_UNLESS_AWAITING_QUERY))
_HOLD = select(quota_holds).where(_h.id == bindparam("b_id"))
_REMOVE_HOLD = delete(quota_holds).where(_h.id == bindparam("b_id"))
_SETTLEMENT = select(quota_entries).where(_e.reservation == bindparam("b_reservation"))
_UPSERT_PG = postgresql.insert(quota_accounts).on_conflict_do_nothing(
    index_elements=["credential_id"])
_UPSERT_SQLITE = sqlite.insert(quota_accounts).on_conflict_do_nothing(
    index_elements=["credential_id"])
_EXPIRED = (select(quota_holds).where(_h.expires_at <= bindparam("b_now"))
            .order_by(_h.expires_at).limit(bindparam("b_limit")))
_EXPIRED_FOR = (select(quota_holds).where(_h.expires_at <= bindparam("b_now"),
                                          _h.credential_id == bindparam("b_credential"))
                .order_by(_h.expires_at).limit(bindparam("b_limit")))


def _entry(row: Row[Any]) -> LedgerEntry:
    m = dict(row._mapping)
    return LedgerEntry(**m | {"kind": EntryKind(m["kind"]), "basis": Basis(m["basis"])})


def _hold(row: Row[Any]) -> Hold:
    m = dict(row._mapping)
    return Hold(**m | {"basis": Basis(m["basis"])})


def _account(row: Row[Any]) -> QuotaAccount:
    return QuotaAccount(**dict(row._mapping))


def _account_values(a: QuotaAccount) -> dict[str, Any]:
    return {"credited": a.credited, "consumed": a.consumed, "reserved": a.reserved,
            "unlimited_until": a.unlimited_until, "updated_at": a.updated_at}


class SqlQuotaRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self._pg = conn.dialect.name == "postgresql"
        self._upsert = _UPSERT_PG if self._pg else _UPSERT_SQLITE

    # totals
    def open_account(self, credential_id: str, at: datetime) -> QuotaAccount:
        key = {"b_credential": credential_id}
        row = self._conn.execute(_LOCKED, key).first()
        if row is None:  # the first change: insert (a concurrent insert wins), then lock
            empty = QuotaAccount(credential_id, at)
            self._conn.execute(self._upsert, {"credential_id": credential_id,
                                              **_account_values(empty)})
            row = self._conn.execute(_LOCKED, key).one()
        return _account(row)

    def account(self, credential_id: str) -> QuotaAccount | None:
        row = self._conn.execute(_ACCOUNT, {"b_credential": credential_id}).first()
        return _account(row) if row else None

    def save_account(self, account: QuotaAccount) -> None:
        self._conn.execute(_SAVE_ACCOUNT, {"b_credential": account.credential_id,
                                           **_account_values(account)})

    # entries
    def add_entry(self, entry: LedgerEntry) -> None:
        values = dict(entry.__dict__) | {"kind": entry.kind.value, "basis": entry.basis.value}
        _ADD_ENTRY.execute(self._conn, values)

    def take(self, credential_id: str, count: int, at: datetime, *,
             unless_awaiting_acceptance: bool = False) -> bool:
        statement = _TAKE_UNLESS_AWAITING if unless_awaiting_acceptance else _TAKE
        done = statement.execute(self._conn, {"b_credential": credential_id, "b_count": count,
                                              "b_now": at})
        return done.rowcount == 1

    def take_recorded(self, credential_id: str, count: int, at: datetime,
                      entry: LedgerEntry, *,
                      unless_awaiting_acceptance: bool = False) -> bool:
        if not self._pg:  # SQLite has no UPDATE in a WITH clause; one writer anyway
            taken = self.take(credential_id, count, at,
                              unless_awaiting_acceptance=unless_awaiting_acceptance)
            if taken:
                self.add_entry(entry)
            return taken
        values = debit_values(Debit(credential_id, count, at, entry))
        statement = _TAKEN_THEN_UNLESS_AWAITING if unless_awaiting_acceptance else _TAKEN_THEN
        return len(statement.execute(self._conn, values).all()) == 1

    def entry(self, entry_id: str) -> LedgerEntry | None:
        row = self._conn.execute(select(quota_entries).where(_e.id == entry_id)).first()
        return _entry(row) if row else None

    def entry_by_source(self, credential_id: str, kind: EntryKind,
                        source: str) -> LedgerEntry | None:
        query = select(quota_entries).where(_e.credential_id == credential_id,
                                            _e.kind == kind.value, _e.source == source)
        row = self._conn.execute(query).first()
        return _entry(row) if row else None

    def settlement(self, reservation: str) -> LedgerEntry | None:
        row = self._conn.execute(_SETTLEMENT, {"b_reservation": reservation}).first()
        return _entry(row) if row else None

    def entries(self, credential_id: str) -> list[LedgerEntry]:
        query = (select(quota_entries).where(_e.credential_id == credential_id)
                 .order_by(_e.at, _e.id))
        return [_entry(row) for row in self._conn.execute(query)]

    # open reservations
    def add_hold(self, hold: Hold) -> None:
        self._conn.execute(_ADD_HOLD, dict(hold.__dict__) | {"basis": hold.basis.value})

    def hold(self, reservation: str) -> Hold | None:
        row = self._conn.execute(_HOLD, {"b_id": reservation}).first()
        return _hold(row) if row else None

    def remove_hold(self, reservation: str) -> bool:
        result = self._conn.execute(_REMOVE_HOLD, {"b_id": reservation})
        return result.rowcount == 1

    def expired_holds(self, now: datetime, credential_id: str | None,
                      limit: int) -> list[Hold]:
        if credential_id is None:
            rows = self._conn.execute(_EXPIRED, {"b_now": now, "b_limit": limit})
        else:
            rows = self._conn.execute(_EXPIRED_FOR, {"b_now": now, "b_limit": limit,
                                                     "b_credential": credential_id})
        return [_hold(row) for row in rows]

    def provisioned(self, since: datetime | None, until: datetime | None) -> list[str]:
        query = select(_e.credential_id).distinct().where(PROVISIONED)  # its index's
        if since is not None:
            query = query.where(_e.at >= since)
        if until is not None:
            query = query.where(_e.at < until)
        return list(self._conn.scalars(query))
