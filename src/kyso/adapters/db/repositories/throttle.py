"""The throttle's bucket repository."""

from __future__ import annotations

from sqlalchemy import Connection, delete, insert, select, update

from kyso.adapters.db.tables.throttle import throttles
from kyso.throttle import Attempts

__all__ = ["SqlThrottleRepository"]


class SqlThrottleRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, key: str, *, for_update: bool = False) -> Attempts | None:
        query = select(throttles).where(throttles.c.key == key)
        if for_update:
            query = query.with_for_update()
        row = self._conn.execute(query).first()
        return Attempts(**dict(row._mapping)) if row else None

    def save(self, attempts: Attempts) -> None:
        values = dict(attempts.__dict__)
        done = self._conn.execute(update(throttles).where(throttles.c.key == attempts.key)
                                  .values(**values))
        if done.rowcount == 0:
            self._conn.execute(insert(throttles).values(**values))

    def delete(self, key: str) -> None:
        self._conn.execute(delete(throttles).where(throttles.c.key == key))
