"""Several-signer envelopes and their signers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, insert, or_, select, update

from kyso.adapters.db.tables.multisign import multisign_envelopes, multisign_signers
from kyso.signing.document import Level
from kyso.signing.multisign_model import Envelope, EnvelopeStatus, Mode, Signer, SignerStatus

__all__ = ["SqlMultisignRepository"]

_e, _s = multisign_envelopes.c, multisign_signers.c


def _envelope_values(e: Envelope) -> dict[str, Any]:
    return {"id": e.id, "initiator_id": e.initiator_id, "file_name": e.file_name,
            "size": e.size, "sha256": e.sha256, "current_sha256": e.current_sha256,
            "mode": e.mode.value, "level": e.level.value, "status": e.status.value,
            "signed_count": e.signed_count, "created_at": e.created_at,
            "expires_at": e.expires_at, "finished_at": e.finished_at, "note": e.note,
            "busy_until": e.busy_until}


def _envelope(row: Row[Any]) -> Envelope:
    m = dict(row._mapping)
    return Envelope(**m | {"mode": Mode(m["mode"]), "level": Level(m["level"]),
                           "status": EnvelopeStatus(m["status"])})


def _signer_values(s: Signer) -> dict[str, Any]:
    return {"envelope_id": s.envelope_id, "position": s.position, "account_id": s.account_id,
            "name": s.name, "login": s.login, "field_name": s.field_name, "page": s.page,
            "box": " ".join(f"{v:g}" for v in s.box), "status": s.status.value,
            "transaction_id": s.transaction_id, "credential_id": s.credential_id,
            "signed_at": s.signed_at, "declined_reason": s.declined_reason,
            "reason": s.reason, "location": s.location, "image": s.image,
            "record_id": s.record_id, "signed_order": s.signed_order}


def _signer(row: Row[Any]) -> Signer:
    m = dict(row._mapping)
    x1, y1, x2, y2 = (float(v) for v in m["box"].split())
    return Signer(**m | {"box": (x1, y1, x2, y2), "status": SignerStatus(m["status"])})


class SqlMultisignRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def add(self, envelope: Envelope) -> None:
        self._conn.execute(insert(multisign_envelopes), _envelope_values(envelope))

    def get(self, envelope_id: str, *, for_update: bool = False) -> Envelope | None:
        query = select(multisign_envelopes).where(_e.id == envelope_id)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        return _envelope(row) if row else None

    def save(self, envelope: Envelope) -> None:
        values = _envelope_values(envelope)
        for fixed in ("id", "initiator_id", "file_name", "size", "sha256", "created_at"):
            values.pop(fixed)
        self._conn.execute(update(multisign_envelopes).where(_e.id == envelope.id)
                           .values(**values))

    def add_signer(self, signer: Signer) -> None:
        self._conn.execute(insert(multisign_signers), _signer_values(signer))

    def signers(self, envelope_id: str) -> list[Signer]:
        rows = self._conn.execute(select(multisign_signers)
                                  .where(_s.envelope_id == envelope_id)
                                  .order_by(_s.position))
        return [_signer(row) for row in rows]

    def save_signer(self, signer: Signer) -> None:
        values = _signer_values(signer)
        for fixed in ("envelope_id", "position", "account_id", "name", "login", "field_name",
                      "page", "box"):
            values.pop(fixed)
        self._conn.execute(update(multisign_signers)
                           .where(_s.envelope_id == signer.envelope_id,
                                  _s.position == signer.position).values(**values))

    def by_record(self, record_id: str) -> Signer | None:
        row = self._conn.execute(select(multisign_signers)
                                 .where(_s.record_id == record_id)).first()
        return _signer(row) if row else None

    def for_account(self, account_id: str, limit: int) -> list[Envelope]:
        mine = select(_s.envelope_id).where(_s.account_id == account_id)
        query = (select(multisign_envelopes)
                 .where(or_(_e.initiator_id == account_id,
                            (_e.id.in_(mine)) & (_e.status != EnvelopeStatus.DRAFT.value)))
                 .order_by(_e.created_at.desc()).limit(limit))
        return [_envelope(row) for row in self._conn.execute(query)]
