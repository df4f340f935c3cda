"""Account and session repositories."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from kyso.accounts.errors import IdentifierTaken
from kyso.accounts.model import Account, AccountStatus, Role, Session
from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.read_ahead import announced, session_row
from kyso.adapters.db.tables.accounts import accounts, sessions
from kyso.errors import Text
from kyso.lockout import LockState

__all__ = ["SqlAccountRepository", "SqlSessionRepository"]

_ANY_IDENTIFIER = Text("số điện thoại, email hoặc số định danh",
                       "the phone, the email or the ID number")
# Built once: every authenticated request runs these and only binds parameters.
_ACCOUNT = select(accounts).where(accounts.c.id == bindparam("account_id"))
_ACCOUNT_LOCKED = _ACCOUNT.with_for_update()
_SESSION_BY_TOKEN = select(sessions).where(sessions.c.token_hash == bindparam("token_hash"))
_SAVE_SESSION = update(sessions).where(sessions.c.id == bindparam("session_id"))
# activity recorded only on a session not revoked (a revocation committed first wins)
_TOUCH_SESSION = (update(sessions)
                  .where(sessions.c.id == bindparam("session_id"), sessions.c.revoked_at.is_(None))
                  .values(last_seen_at=bindparam("at")))
# The bearer check: the session and its account in one statement (every authenticated
# request runs it); the account's columns follow the session's, in table order.
_SESSION_COLUMNS = len(sessions.c)
_SESSION_AND_ACCOUNT = Prepared(
    select(*sessions.c, *accounts.c)
    .select_from(sessions.join(accounts, accounts.c.id == sessions.c.account_id))
    .where(sessions.c.token_hash == bindparam("token_hash")))


def _account_values(a: Account) -> dict[str, Any]:
    return {
        "id": a.id, "username": a.username, "full_name": a.full_name, "phone": a.phone,
        "email": a.email, "id_number": a.id_number, "role": a.role.value,
        "status": a.status.value, "locale": a.locale, "password_hash": a.password_hash,
        "pin_hash": a.pin_hash, "created_at": a.created_at,
        "password_failures": a.password_lock.failures,
        "password_locks": a.password_lock.lock_count,
        "password_locked_until": a.password_lock.locked_until,
        "pin_failures": a.pin_lock.failures, "pin_locks": a.pin_lock.lock_count,
        "pin_locked_until": a.pin_lock.locked_until,
    }


def _account(row: Row[Any]) -> Account:
    m = row._mapping
    return Account(
        id=m["id"], username=m["username"], full_name=m["full_name"], phone=m["phone"],
        email=m["email"], id_number=m["id_number"], role=Role(m["role"]),
        status=AccountStatus(m["status"]), locale=m["locale"],
        password_hash=m["password_hash"], pin_hash=m["pin_hash"], created_at=m["created_at"],
        password_lock=LockState(m["password_failures"], m["password_locks"],
                                m["password_locked_until"]),
        pin_lock=LockState(m["pin_failures"], m["pin_locks"], m["pin_locked_until"]),
    )


_ACCOUNT_ORDER = ("id", "username", "full_name", "phone", "email", "id_number", "role", "status",
                  "locale", "password_hash", "pin_hash", "password_failures", "password_locks",
                  "password_locked_until", "pin_failures", "pin_locks", "pin_locked_until",
                  "created_at")
# the bearer check reads both rows by position (no mapping per request): a column added,
# dropped or moved in either table must be added here too, and fails at import until it is
if (tuple(c.name for c in accounts.c) != _ACCOUNT_ORDER
        or tuple(c.name for c in sessions.c) != tuple(f.name for f in fields(Session))):
    raise RuntimeError("accounts/sessions columns changed: update _account_of and Session")


def _account_of(v: tuple[Any, ...]) -> Account:
    """An account from its columns' values in table order (:data:`_ACCOUNT_ORDER`)."""
    (id_, username, full_name, phone, email, id_number, role, status, locale, password_hash,
     pin_hash, password_failures, password_locks, password_locked_until, pin_failures,
     pin_locks, pin_locked_until, created_at) = v
    return Account(
        id=id_, username=username, full_name=full_name, phone=phone, email=email,
        id_number=id_number, role=Role(role), status=AccountStatus(status), locale=locale,
        password_hash=password_hash, pin_hash=pin_hash, created_at=created_at,
        password_lock=LockState(password_failures, password_locks, password_locked_until),
        pin_lock=LockState(pin_failures, pin_locks, pin_locked_until),
    )


class SqlAccountRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, account: Account) -> None:
        """A concurrent transaction that stored the same username, phone, email or ID number
        first (checked before, but not yet committed then) meets the unique index here."""
        try:
            self._conn.execute(insert(accounts).values(**_account_values(account)))
        except IntegrityError as exc:
            raise IdentifierTaken(fields=_ANY_IDENTIFIER) from exc

    def get(self, account_id: str, *, for_update: bool = False) -> Account | None:
        query = _ACCOUNT_LOCKED if for_update else _ACCOUNT
        row = self._conn.execute(query, {"account_id": account_id}).first()
        return _account(row) if row else None

    def find_by_login(self, login: str, *, for_update: bool = False) -> Account | None:
        c = accounts.c
        query = select(accounts).where(
            or_(c.username == login, c.phone == login, c.email == login, c.id_number == login)
        )
        return self._one(query.with_for_update() if for_update else query)

    def taken(self, username: str, phone: str, email: str, id_number: str | None) -> list[str]:
        wanted = {"username": username, "phone": phone, "email": email, "id_number": id_number}
        c = accounts.c
        rows = self._conn.execute(
            select(c.username, c.phone, c.email, c.id_number).where(
                or_(*(c[k] == v for k, v in wanted.items() if v is not None))
            )
        ).all()
        return sorted({k for row in rows for k, v in wanted.items()
                       if v is not None and row._mapping[k] == v})

    def save(self, account: Account) -> None:
        values = _account_values(account)
        values.pop("id")
        self._conn.execute(update(accounts).where(accounts.c.id == account.id).values(**values))

    def _one(self, query: Any) -> Account | None:
        row = self._conn.execute(query).first()
        return _account(row) if row else None


def _session(row: Row[Any]) -> Session:
    return Session(**dict(row._mapping))


class SqlSessionRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, session: Session) -> None:
        self._conn.execute(insert(sessions).values(**session.__dict__))

    def get(self, session_id: str) -> Session | None:
        row = self._conn.execute(select(sessions).where(sessions.c.id == session_id)).first()
        return _session(row) if row else None

    def by_token_hash(self, token_hash: str) -> Session | None:
        row = self._conn.execute(_SESSION_BY_TOKEN, {"token_hash": token_hash}).first()
        return _session(row) if row else None

    def with_account(self, token_hash: str) -> tuple[Session, Account] | None:
        if announced(self._conn, token_hash):  # a signHash: its signing read comes along
            values = session_row(self._conn, token_hash)
        else:
            row = _SESSION_AND_ACCOUNT.execute(self._conn, {"token_hash": token_hash}).first()
            values = None if row is None else tuple(row)
        if values is None:
            return None
        return (Session(*values[:_SESSION_COLUMNS]), _account_of(values[_SESSION_COLUMNS:]))

    def for_account(self, account_id: str) -> list[Session]:
        query = (select(sessions).where(sessions.c.account_id == account_id)
                 .order_by(sessions.c.created_at.desc()))
        return [_session(r) for r in self._conn.execute(query)]

    def touch(self, session_id: str, at: datetime) -> bool:
        done = self._conn.execute(_TOUCH_SESSION, {"session_id": session_id, "at": at})
        return done.rowcount == 1

    def save(self, session: Session) -> None:
        values = dict(session.__dict__)
        values["session_id"] = values.pop("id")
        self._conn.execute(_SAVE_SESSION, values)
