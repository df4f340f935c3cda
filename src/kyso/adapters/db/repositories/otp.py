"""The out-of-band code repository."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, insert, select, update

from kyso.adapters.db.tables.otp import otp_codes
from kyso.notify.model import Channel
from kyso.otp.model import OtpCode, Purpose

__all__ = ["SqlOtpCodeRepository"]


def _code(row: Row[Any]) -> OtpCode:
    m = dict(row._mapping)
    m["purpose"], m["channel"] = Purpose(m["purpose"]), Channel(m["channel"])
    return OtpCode(**m)


def _values(code: OtpCode) -> dict[str, Any]:
    values = dict(code.__dict__)
    values["purpose"], values["channel"] = code.purpose.value, code.channel.value
    return values


class SqlOtpCodeRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, code: OtpCode) -> None:
        self._conn.execute(insert(otp_codes).values(**_values(code)))

    def latest(self, account_id: str, purpose: Purpose) -> OtpCode | None:
        c = otp_codes.c
        query = (select(otp_codes).where(c.account_id == account_id, c.purpose == purpose.value)
                 .order_by(c.created_at.desc()).limit(1))
        row = self._conn.execute(query).first()
        return _code(row) if row else None

    def count_since(self, account_id: str, purpose: Purpose, since: datetime) -> int:
        c = otp_codes.c
        query = select(func.count()).where(
            c.account_id == account_id, c.purpose == purpose.value, c.created_at >= since
        )
        return int(self._conn.execute(query).scalar_one())

    def save(self, code: OtpCode) -> None:
        values = _values(code)
        values.pop("id")
        self._conn.execute(update(otp_codes).where(otp_codes.c.id == code.id).values(**values))

    def supersede(self, account_id: str, purpose: Purpose) -> None:
        c = otp_codes.c
        self._conn.execute(
            update(otp_codes)
            .where(c.account_id == account_id, c.purpose == purpose.value, c.superseded.is_(False))
            .values(superseded=True)
        )
