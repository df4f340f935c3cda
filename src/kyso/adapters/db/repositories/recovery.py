"""Identity-recovery cases (kyso.accounts.recovery_cases)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, delete, func, insert, select, update

from kyso.accounts.recovery_cases import Case, CaseState
from kyso.adapters.db.tables.recovery import recovery_cases as t

__all__ = ["SqlRecoveryCaseRepository"]

_OPEN = (CaseState.AWAITING_PHONE, CaseState.AWAITING_IMAGES, CaseState.UNDER_REVIEW,
         CaseState.APPROVED)


def _values(case: Case) -> dict[str, Any]:
    values = dict(case.__dict__)
    values["state"] = case.state.value
    values["account_id"] = case.account_id or None
    return values


def _case(row: Row[Any]) -> Case:
    m = dict(row._mapping)
    return Case(**m | {"state": CaseState(m["state"]), "account_id": m["account_id"] or ""})


class SqlRecoveryCaseRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, case: Case) -> None:
        self._conn.execute(insert(t).values(**_values(case)))

    def get(self, case_id: str, *, for_update: bool = False) -> Case | None:
        query = select(t).where(t.c.id == case_id)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return _case(row) if row else None

    def save(self, case: Case) -> None:
        self._conn.execute(update(t).where(t.c.id == case.id).values(**_values(case)))

    def for_account(self, account_id: str, limit: int = 20) -> list[Case]:
        rows = self._conn.execute(select(t).where(t.c.account_id == account_id)
                                  .order_by(t.c.created_at.desc(), t.c.id).limit(limit))
        return [_case(r) for r in rows]

    def in_states(self, states: tuple[CaseState, ...], limit: int) -> list[Case]:
        rows = self._conn.execute(
            select(t).where(t.c.state.in_([s.value for s in states]),
                            t.c.account_id.is_not(None))
            .order_by(t.c.submitted_at, t.c.created_at, t.c.id).limit(limit))
        return [_case(r) for r in rows]

    def lapsed(self, now: datetime, limit: int) -> list[Case]:
        rows = self._conn.execute(
            select(t).where(t.c.state.in_([s.value for s in _OPEN]), t.c.expires_at <= now)
            .order_by(t.c.expires_at).limit(limit))
        return [_case(r) for r in rows]

    def submitted_since(self, account_id: str, since: datetime) -> int:
        found = self._conn.execute(select(func.count()).select_from(t).where(
            t.c.account_id == account_id, t.c.submitted_at >= since)).scalar_one()
        return int(found)

    def forget_phantoms(self, before: datetime, limit: int) -> int:
        ids = select(t.c.id).where(t.c.account_id.is_(None),
                                   t.c.state.not_in([s.value for s in _OPEN]),
                                   t.c.updated_at < before).limit(limit)
        found = [case_id for (case_id,) in self._conn.execute(ids)]
        if found:
            self._conn.execute(delete(t).where(t.c.id.in_(found)))
        return len(found)
