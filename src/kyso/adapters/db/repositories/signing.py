"""Signature activation data (SAD) records."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, insert, select, update

from kyso.adapters.db.tables.signing import signature_activations, signatures_kept
from kyso.signing.model import SignatureActivation

__all__ = ["SqlActivationRepository"]

_t = signature_activations.c
_BY_TOKEN = select(signature_activations).where(_t.token_hash == bindparam("token_hash"))
_BY_TOKEN_LOCKED = _BY_TOKEN.with_for_update()
_INSERT = insert(signature_activations)
# what a save can change (the rest of a SAD is fixed when granted): the hashes spent, the end
_SAVE = (update(signature_activations).where(_t.id == bindparam("activation_id"))
         .values(signed=bindparam("b_signed"), revoked_at=bindparam("b_revoked_at")))
# compare and set: the hashes signed move on only from what the signer read, on a live SAD
_SPEND = (update(signature_activations)
          .where(_t.id == bindparam("activation_id"), _t.signed == bindparam("b_read"),
                 _t.revoked_at.is_(None))
          .values(signed=bindparam("b_signed")))
_k = signatures_kept.c
_KEEP = insert(signatures_kept)  # built once: the signing hot path only binds


def _values(a: SignatureActivation) -> dict[str, Any]:
    values = dict(a.__dict__)
    values["hashes"], values["signed"] = json.dumps(list(a.hashes)), json.dumps(list(a.signed))
    return values


def _activation(row: Row[Any]) -> SignatureActivation:
    m = dict(row._mapping)
    m["hashes"], m["signed"] = tuple(json.loads(m["hashes"])), tuple(json.loads(m["signed"]))
    return SignatureActivation(**m)


class SqlActivationRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, activation: SignatureActivation) -> None:
        self._conn.execute(_INSERT, _values(activation))

    def by_token_hash(self, token_hash: str, *,
                      for_update: bool = False) -> SignatureActivation | None:
        query = _BY_TOKEN_LOCKED if for_update else _BY_TOKEN
        row = self._conn.execute(query, {"token_hash": token_hash}).first()
        return _activation(row) if row else None

    def save(self, activation: SignatureActivation) -> None:
        self._conn.execute(_SAVE, {"activation_id": activation.id,
                                   "b_signed": json.dumps(list(activation.signed)),
                                   "b_revoked_at": activation.revoked_at})

    def spend(self, read: SignatureActivation, spent: SignatureActivation) -> bool:
        done = self._conn.execute(_SPEND, {"activation_id": read.id,
                                           "b_read": json.dumps(list(read.signed)),
                                           "b_signed": json.dumps(list(spent.signed))})
        return done.rowcount == 1

    def keep_signatures(self, activation: SignatureActivation, scheme: str,
                        signatures: dict[str, bytes]) -> None:
        rows = [{"activation_id": activation.id, "hash": digest, "scheme": scheme,
                 "signature": value, "expires_at": activation.expires_at}
                for digest, value in signatures.items()]
        self._conn.execute(_KEEP, rows[0] if len(rows) == 1 else rows)

    def kept_signatures(self, activation_id: str, scheme: str,
                        hashes: list[str]) -> list[bytes] | None:
        rows = self._conn.execute(select(_k.hash, _k.signature).where(
            _k.activation_id == activation_id, _k.scheme == scheme, _k.hash.in_(hashes)))
        kept = {row.hash: row.signature for row in rows}
        return [kept[h] for h in hashes] if set(kept) == set(hashes) else None

    def forget_signatures(self, before: datetime) -> int:
        done = self._conn.execute(delete(signatures_kept).where(_k.expires_at <= before))
        return int(done.rowcount or 0)
