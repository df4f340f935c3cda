"""Hot statements run straight on the driver's cursor (issue 14).

``Connection.execute`` costs a statement more than the statement itself on the hot paths
(a signHash runs seven to ten): measured on this project's machine, a one-row SELECT by key
costs 26 µs of CPU on SQLite through SQLAlchemy against 8 µs on the driver, and on
PostgreSQL 118–143 µs against 45–73 µs, where SQLAlchemy's result set-up reads psycopg's
``cursor.description``, which builds its column objects afresh at every call.

A :class:`Prepared` statement is still written in SQLAlchemy Core and compiled by
SQLAlchemy, once per dialect (and per set of parameter names, which an ``INSERT`` without
``values()`` depends on). A run binds the parameters with SQLAlchemy's own bind processors,
sends the SQL on a cursor kept with the pooled connection, converts the result with the
columns' result processors, and turns a driver error into SQLAlchemy's exactly as
``Connection.execute`` does (the engine's ``handle_error`` hooks, a disconnect invalidating
the connection and the pool): ``Connection._handle_dbapi_exception``, a private method of
the SQLAlchemy pinned in the lock file, whose behaviour ``tests/integration/db`` pins.
Listeners on ``before_cursor_execute`` still see every statement; the transaction begins
as ``Connection.execute`` would begin it (the SQLite ``BEGIN IMMEDIATE`` hook included).

What it does not do, it refuses when the statement is first compiled: Python-side column
defaults (``insert_prefetch``) and parameters rendered at run time (``IN`` lists).
"""

from __future__ import annotations

import weakref
from collections import namedtuple
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Connection, Insert, Update
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import MultipleResultsFound, NoResultFound
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

__all__ = ["Prepared", "PreparedResult"]

_CURSOR = "kyso_prepared_cursor"
_MISSING = object()
_ANY: frozenset[str] = frozenset()  # a statement that sets no columns by its parameters


class PreparedResult:
    """The rows (all fetched) and the row count of one run: the part of SQLAlchemy's
    ``CursorResult`` the repositories use. A row is a named tuple with ``_mapping``."""

    __slots__ = ("_rows", "rowcount")

    def __init__(self, rows: list[Any], rowcount: int) -> None:
        self._rows, self.rowcount = rows, rowcount

    def first(self) -> Any:
        return self._rows[0] if self._rows else None

    def scalar(self) -> Any:
        return self._rows[0][0] if self._rows else None

    def scalar_one(self) -> Any:
        if not self._rows:
            raise NoResultFound("No row was found when one was required")
        if len(self._rows) > 1:
            raise MultipleResultsFound("Multiple rows were found when exactly one was required")
        return self._rows[0][0]

    def all(self) -> list[Any]:
        return list(self._rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._rows)


class _Compiled:
    """One statement as one dialect runs it."""

    __slots__ = ("binds", "names", "positional", "results", "row", "sql")

    def __init__(self, compiled: SQLCompiler, dialect: Dialect) -> None:
        if compiled.insert_prefetch or compiled.update_prefetch:
            raise TypeError("a prepared statement cannot compute Python-side column defaults")
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise TypeError("a prepared statement cannot render parameters at run time")
        self.sql = compiled.string
        self.positional = bool(compiled.positional)
        names = (list(compiled.positiontup or ()) if self.positional
                 else list(compiled.bind_names.values()))
        escaped: Mapping[str, str] = compiled.escaped_bind_names or {}
        processors = compiled._bind_processors
        plan, sent = [], []
        for name in names:
            bind = compiled.binds[name]
            process = processors.get(name)
            if process is not None and not callable(process):
                raise TypeError("a prepared statement cannot bind tuple types")
            # a value is looked up by the bind's key, as SQLAlchemy does; an anonymous bind
            # (a literal in the statement) has its value already
            default = _MISSING if bind.required else bind.effective_value
            plan.append((bind.key, default, process))
            sent.append(escaped.get(name, name))
        self.binds: tuple[tuple[str, Any, Callable[[Any], Any] | None], ...] = tuple(plan)
        self.names = tuple(sent)
        columns = compiled._result_columns or []
        self.row: type | None = _row_class([c.keyname for c in columns]) if columns else None
        processed = [c.type._cached_result_processor(dialect, None) for c in columns]
        self.results = tuple((i, p) for i, p in enumerate(processed) if p is not None)

    def parameters(self, values: Mapping[str, Any]) -> Sequence[Any] | dict[str, Any]:
        bound = []
        for key, default, process in self.binds:
            value = values[key] if default is _MISSING else values.get(key, default)
            bound.append(value if process is None else process(value))
        return tuple(bound) if self.positional else dict(zip(self.names, bound, strict=True))

    def rows(self, fetched: Sequence[Any]) -> list[Any]:
        make, results = self.row, self.results
        assert make is not None
        if not results:
            return [make(*r) for r in fetched]
        rows = []
        for r in fetched:
            values = list(r)
            for i, process in results:
                values[i] = process(values[i])
            rows.append(make(*values))
        return rows


def _row_class(keys: list[str]) -> type:
    base = namedtuple("Row", keys, rename=True)  # type: ignore[misc]
    fields = tuple(keys)

    class Row(base):
        __slots__ = ()

        @property
        def _mapping(self) -> dict[str, Any]:
            return dict(zip(fields, self, strict=True))

    return Row


class Prepared:
    """A Core statement compiled once per dialect and run on the driver's cursor."""

    def __init__(self, statement: ClauseElement) -> None:
        self.statement = statement
        # an INSERT or UPDATE without values() sets the columns its parameters name
        self._by_columns = isinstance(statement, Insert | Update)
        self._compiled: weakref.WeakKeyDictionary[Dialect, dict[frozenset[str], _Compiled]] = \
            weakref.WeakKeyDictionary()
        self._last: tuple[Dialect, frozenset[str], _Compiled] | None = None

    def _for(self, dialect: Dialect, keys: frozenset[str]) -> _Compiled:
        last = self._last  # one engine in a process: its dialect's, without a lookup
        if last is not None and last[0] is dialect and last[1] == keys:
            return last[2]
        by_keys = self._compiled.get(dialect)
        if by_keys is None:
            by_keys = self._compiled[dialect] = {}
        compiled = by_keys.get(keys)
        if compiled is None:
            sql = self.statement.compile(dialect=dialect, column_keys=sorted(keys))
            assert isinstance(sql, SQLCompiler)
            compiled = by_keys[keys] = _Compiled(sql, dialect)
        self._last = (dialect, keys, compiled)
        return compiled

    def execute(self, conn: Connection,
                parameters: Mapping[str, Any] | list[dict[str, Any]] | None = None,
                ) -> PreparedResult:
        """Run on ``conn`` as ``conn.execute(statement, parameters)`` would: one set of
        parameters, or a list of them (``executemany``, no rows returned)."""
        many = isinstance(parameters, list)
        if many and not parameters:
            return PreparedResult([], 0)  # nothing to run
        sets = cast(list[Mapping[str, Any]], parameters if many else [parameters or {}])
        compiled = self._for(conn.dialect, frozenset(sets[0]) if self._by_columns else _ANY)
        bound = [compiled.parameters(values) for values in sets]
        if not conn.in_transaction():
            conn.begin()  # as Connection.execute's autobegin (the BEGIN IMMEDIATE hook)
        fairy = conn.connection
        driver = fairy.dbapi_connection
        kept = fairy.info.get(_CURSOR)
        cursor = kept[1] if kept is not None and kept[0] is driver else None
        if cursor is None:
            assert driver is not None
            cursor = driver.cursor()
            fairy.info[_CURSOR] = (driver, cursor)
        sent: Any = bound if many else bound[0]
        try:
            if conn._has_events or conn.engine._has_events:  # as Connection.execute asks
                for listen in conn.dispatch.before_cursor_execute:
                    listen(conn, cursor, compiled.sql, sent, None, many)
            if many:
                cursor.executemany(compiled.sql, sent)
                return PreparedResult([], cursor.rowcount)
            cursor.execute(compiled.sql, sent)
            if compiled.row is None:  # no result columns: nothing to fetch
                return PreparedResult([], cursor.rowcount)
            return PreparedResult(compiled.rows(cursor.fetchall()), cursor.rowcount)
        except Exception as exc:
            fairy.info.pop(_CURSOR, None)  # SQLAlchemy closes it: not kept for the next run
            conn._handle_dbapi_exception(exc, compiled.sql, sent, cursor, None)
            raise  # not reached: the call above raises
