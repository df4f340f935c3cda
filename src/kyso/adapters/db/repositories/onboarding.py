"""Registrations: indexed columns plus the case as JSON."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, exists, func, insert, or_, select, update

from kyso.adapters.db.tables.onboarding import registrations
from kyso.adapters.db.tables.otp import smartotp_tokens
from kyso.adapters.db.tables.pki import pki_certificates as certificates
from kyso.onboarding.identity import IdDocument, IdType, Sex
from kyso.onboarding.model import (
    ActivationCode,
    Contact,
    EkycImages,
    Owner,
    Registration,
    Review,
)
from kyso.onboarding.search import CaseQuery, name_key
from kyso.onboarding.states import State

__all__ = ["SqlRegistrationRepository"]

_t = registrations.c
_FINISHED = (State.CANCELLED.value, State.EXPIRED.value, State.REJECTED.value)


def _iso(value: Any) -> Any:
    return value.isoformat() if isinstance(value, (date, datetime)) else value


def _dump(r: Registration) -> str:
    body = {"owner": asdict(r.owner), "contact": asdict(r.contact), "package": r.package,
            "mrz": r.mrz, "order_id": r.order_id,
            "activation": asdict(r.activation) if r.activation else None,
            "ekyc_attempts": r.ekyc_attempts,
            "images": asdict(r.images) if r.images else None, "checks": r.checks,
            "contract_sha256": r.contract_sha256,
            "contract_transaction": r.contract_transaction,
            "sealed_contract_sha256": r.sealed_contract_sha256,
            "seal_failures": r.seal_failures,
            "review": asdict(r.review) if r.review else None,
            "acceptance_document": r.acceptance_document}
    return json.dumps(body, default=_iso, ensure_ascii=False, sort_keys=True)


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _t_(text: str) -> datetime:
    return datetime.fromisoformat(text)


def _load(row: Row[Any]) -> Registration:
    m, b = row._mapping, json.loads(row.body)
    o, doc = b["owner"], b["owner"]["document"]
    owner = Owner(o["full_name"], date.fromisoformat(o["birth_date"]), Sex(o["sex"]),
                  IdDocument(IdType(doc["kind"]), doc["number"],
                             date.fromisoformat(doc["issued"]), _d(doc["expires"])))
    a, rv = b["activation"], b["review"]
    activation = ActivationCode(a["code_mac"], _t_(a["sent_at"]), _t_(a["expires_at"]),
                                a["attempts"], a["sends"]) if a else None
    review = Review(rv["officer"], _t_(rv["decided_at"]), rv["approved"], rv["reason"],
                    rv["resubmittable"]) if rv else None
    return Registration(
        id=m["id"], account_id=m["account_id"], owner=owner, contact=Contact(**b["contact"]),
        package=b["package"], device_id=m["device_id"], created_at=m["created_at"],
        updated_at=m["updated_at"], state=State(m["state"]), mrz=b["mrz"],
        order_id=b["order_id"], activation=activation, ekyc_attempts=b["ekyc_attempts"],
        images=EkycImages(**b["images"]) if b["images"] else None, checks=b["checks"],
        contract_sha256=b["contract_sha256"], contract_transaction=b["contract_transaction"],
        sealed_contract_sha256=b["sealed_contract_sha256"], review=review,
        seal_due=m["seal_due"], seal_failures=b.get("seal_failures", 0),
        credential_id=m["credential_id"], acceptance_document=b["acceptance_document"])


def _columns(r: Registration) -> dict[str, Any]:
    return {"state": r.state.value, "credential_id": r.credential_id, "body": _dump(r),
            "updated_at": r.updated_at, "seal_due": r.seal_due,
            "name_key": name_key(r.owner.full_name)}


# the acceptance gate asks this on every signature
_BY_CREDENTIAL = select(registrations).where(_t.credential_id == bindparam("b_credential"))
_BY_CREDENTIAL_LOCKED = _BY_CREDENTIAL.with_for_update()

class SqlRegistrationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, r: Registration) -> None:
        seq = self._conn.execute(select(func.coalesce(func.max(_t.seq), 0))
                                 .where(_t.account_id == r.account_id)).scalar_one()
        self._conn.execute(insert(registrations).values(
            id=r.id, account_id=r.account_id, uid=r.owner.document.uid, device_id=r.device_id,
            seq=seq + 1, created_at=r.created_at, **_columns(r)))

    def get(self, registration_id: str, *, for_update: bool = False) -> Registration | None:
        query = select(registrations).where(_t.id == registration_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _load(row) if row else None

    def latest(self, account_id: str, *, for_update: bool = False) -> Registration | None:
        query = (select(registrations).where(_t.account_id == account_id)
                 .order_by(_t.seq.desc()).limit(1))
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _load(row) if row else None

    def by_credential(self, credential_id: str, *,
                      for_update: bool = False) -> Registration | None:
        query = _BY_CREDENTIAL_LOCKED if for_update else _BY_CREDENTIAL
        row = self._conn.execute(query, {"b_credential": credential_id}).first()
        return _load(row) if row else None

    def in_state(self, state: State, limit: int, offset: int = 0,
                 query: CaseQuery | None = None) -> list[Registration]:
        found = select(registrations).where(_t.state == state.value)
        if query is not None and query.whole_id:  # a whole ID number: the uid index
            found = found.where(_t.uid.in_([f"{kind.value}:{query.id_part}" for kind in IdType]))
        elif query is not None:
            match = _t.name_key.contains(query.name, autoescape=True)
            if query.id_part:
                match = or_(match, _t.uid.contains(query.id_part, autoescape=True))
            found = found.where(match)
        newest_first = state is not State.UNDER_REVIEW  # the queue is served oldest first
        order = (_t.updated_at.desc(), _t.id.desc()) if newest_first else (_t.updated_at, _t.id)
        rows = self._conn.execute(found.order_by(*order).limit(limit).offset(offset))
        return [_load(row) for row in rows]

    def save(self, r: Registration) -> None:
        self._conn.execute(update(registrations).where(_t.id == r.id).values(**_columns(r)))

    def stale(self, states: tuple[State, ...], before: datetime,
              limit: int) -> list[Registration]:
        rows = self._conn.execute(
            select(registrations).where(_t.state.in_([s.value for s in states]),
                                        _t.updated_at < before)
            .order_by(_t.updated_at).limit(limit))
        return [_load(row) for row in rows]

    def seals_due(self, now: datetime, limit: int) -> list[Registration]:
        rows = self._conn.execute(select(registrations).where(_t.seal_due <= now)
                                  .order_by(_t.seal_due).limit(limit))
        return [_load(row) for row in rows]

    def device_used(self, device_id: str, account_id: str) -> bool:
        token = exists().where(and_(smartotp_tokens.c.device_id == device_id,
                                    smartotp_tokens.c.account_id != account_id))
        other = exists().where(and_(_t.device_id == device_id, _t.account_id != account_id))
        return bool(self._conn.execute(select(or_(token, other))).scalar())

    def identity_used(self, uid: str, account_id: str) -> bool:
        issued = exists().where(certificates.c.uid == uid)
        other = exists().where(and_(_t.uid == uid, _t.account_id != account_id,
                                    _t.state.not_in(_FINISHED)))
        return bool(self._conn.execute(select(or_(issued, other))).scalar())
