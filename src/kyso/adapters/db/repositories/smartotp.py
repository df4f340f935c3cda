"""SmartOTP tokens, OTP-method state and transaction challenges."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, insert, select, update

from kyso.adapters.db.tables.otp import otp_challenges, otp_method_state, smartotp_tokens
from kyso.otp.token import (
    Challenge,
    ChallengeStatus,
    Method,
    MethodLock,
    MethodState,
    SmartOtpToken,
    TokenKind,
    TokenStatus,
)

__all__ = ["SqlChallengeRepository", "SqlMethodStateRepository", "SqlSmartOtpRepository"]

# Built once: code checks run these on every request and only bind parameters.
_t = smartotp_tokens.c
_CURRENT = (select(smartotp_tokens)
            .where(_t.account_id == bindparam("account_id"), _t.status == bindparam("status"))
            .order_by(_t.created_at.desc()).limit(1))
_CURRENT_LOCKED = _CURRENT.with_for_update()
_SAVE_TOKEN = update(smartotp_tokens).where(_t.id == bindparam("token_id"))
_INSERT_TOKEN = insert(smartotp_tokens)
_m = otp_method_state.c
_STATE = select(otp_method_state).where(_m.account_id == bindparam("account_id"))
_STATE_LOCKED = _STATE.with_for_update()
# A code check: the newest active token, locked, with the account's method state (one
# statement, not two); then only the four columns a check changes are written.
_FOR_CHECK = (select(smartotp_tokens, _m.preferred.label("m_preferred"),
                     _m.locks.label("m_locks"))
              .select_from(smartotp_tokens.outerjoin(otp_method_state,
                                                     _m.account_id == _t.account_id))
              .where(_t.account_id == bindparam("account_id"),
                     _t.status == TokenStatus.ACTIVE.value)
              .order_by(_t.created_at.desc()).limit(1)
              .with_for_update(of=smartotp_tokens))
_SAVE_CHECK = (update(smartotp_tokens).where(_t.id == bindparam("token_id"))
               .values(last_counter=bindparam("c_last_counter"), drift=bindparam("c_drift"),
                       failures=bindparam("c_failures"), locked_at=bindparam("c_locked_at")))


def _token(row: Row[Any]) -> SmartOtpToken:
    m = dict(row._mapping)
    m["status"], m["kind"] = TokenStatus(m["status"]), TokenKind(m["kind"])
    return SmartOtpToken(**m)


def _state(account_id: str, preferred: str | None, locks: str | None) -> MethodState:
    if preferred is None or locks is None:
        return MethodState(account_id)
    return MethodState(account_id, Method(preferred), _locks(locks))


def _token_values(token: SmartOtpToken) -> dict[str, Any]:
    values = dict(token.__dict__)
    values["status"], values["kind"] = token.status.value, token.kind.value
    return values


class SqlSmartOtpRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, token: SmartOtpToken) -> None:
        self._conn.execute(_INSERT_TOKEN, _token_values(token))

    def get(self, token_id: str) -> SmartOtpToken | None:
        row = self._conn.execute(
            select(smartotp_tokens).where(smartotp_tokens.c.id == token_id)).first()
        return _token(row) if row else None

    def current(self, account_id: str, status: TokenStatus, *,
                for_update: bool = False) -> SmartOtpToken | None:
        query = _CURRENT_LOCKED if for_update else _CURRENT
        row = self._conn.execute(query, {"account_id": account_id, "status": status.value}).first()
        return _token(row) if row else None

    def for_check(self, account_id: str) -> tuple[SmartOtpToken | None, MethodState]:
        row = self._conn.execute(_FOR_CHECK, {"account_id": account_id}).first()
        if row is None:
            alone = self._conn.execute(_STATE, {"account_id": account_id}).first()
            return None, _state(account_id, alone.preferred if alone else None,
                                alone.locks if alone else None)
        m = dict(row._mapping)
        state = _state(account_id, m.pop("m_preferred"), m.pop("m_locks"))
        m["status"], m["kind"] = TokenStatus(m["status"]), TokenKind(m["kind"])
        return SmartOtpToken(**m), state

    def save(self, token: SmartOtpToken) -> None:
        values = _token_values(token)
        values["token_id"] = values.pop("id")
        self._conn.execute(_SAVE_TOKEN, values)

    def save_check(self, token: SmartOtpToken) -> None:
        self._conn.execute(_SAVE_CHECK, {
            "token_id": token.id, "c_last_counter": token.last_counter,
            "c_drift": token.drift, "c_failures": token.failures,
            "c_locked_at": token.locked_at})


def _locks_json(state: MethodState) -> str:
    return json.dumps({m.value: {"at": lock.at.isoformat(), "by": lock.by, "reason": lock.reason}
                       for m, lock in state.locks.items()}, ensure_ascii=False, sort_keys=True)


def _locks(text: str) -> dict[Method, MethodLock]:
    return {Method(m): MethodLock(datetime.fromisoformat(v["at"]), v["by"], v["reason"])
            for m, v in json.loads(text).items()}


class SqlMethodStateRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def get(self, account_id: str, *, for_update: bool = False) -> MethodState:
        row = self._conn.execute(_STATE_LOCKED if for_update else _STATE,
                                 {"account_id": account_id}).first()
        if row is None:
            return MethodState(account_id)
        m = row._mapping
        return _state(account_id, m["preferred"], m["locks"])

    def save(self, state: MethodState) -> None:
        values = {"preferred": state.preferred.value, "locks": _locks_json(state)}
        table = otp_method_state
        done = self._conn.execute(
            update(table).where(table.c.account_id == state.account_id).values(**values))
        if done.rowcount == 0:
            self._conn.execute(insert(table).values(account_id=state.account_id, **values))


def _challenge(row: Row[Any]) -> Challenge:
    m = dict(row._mapping)
    m["details"] = json.loads(m["details"])
    m["method"], m["status"] = Method(m["method"]), ChallengeStatus(m["status"])
    return Challenge(**m)


def _challenge_values(c: Challenge) -> dict[str, Any]:
    values = dict(c.__dict__)
    values["details"] = json.dumps(dict(c.details), ensure_ascii=False, sort_keys=True)
    values["method"], values["status"] = c.method.value, c.status.value
    return values


class SqlChallengeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, challenge: Challenge) -> None:
        self._conn.execute(insert(otp_challenges).values(**_challenge_values(challenge)))

    def get(self, challenge_id: str, *, for_update: bool = False) -> Challenge | None:
        query = select(otp_challenges).where(otp_challenges.c.id == challenge_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _challenge(row) if row else None

    def for_account(self, account_id: str, status: ChallengeStatus | None,
                    limit: int) -> list[Challenge]:
        c = otp_challenges.c
        query = select(otp_challenges).where(c.account_id == account_id)
        if status is not None:
            query = query.where(c.status == status.value)
        query = query.order_by(c.created_at.desc()).limit(limit)
        return [_challenge(r) for r in self._conn.execute(query)]

    def save(self, challenge: Challenge) -> None:
        values = _challenge_values(challenge)
        values.pop("id")
        self._conn.execute(
            update(otp_challenges).where(otp_challenges.c.id == challenge.id).values(**values))
