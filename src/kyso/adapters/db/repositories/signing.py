"""Signature activation data (SAD) records."""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, bindparam, insert, literal_column, select, update

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.read_ahead import SAD_COLUMNS, signing_row
from kyso.adapters.db.repositories.pki import certificate_of, serial_hex
from kyso.adapters.db.tables.pki import pki_certificates
from kyso.adapters.db.tables.signing import signature_activations
from kyso.pki.model import IssuedCertificate
from kyso.signing.model import SignatureActivation

__all__ = ["SPEND_QUERY", "SqlActivationRepository", "spend_values"]

_t, _c = signature_activations.c, pki_certificates.c
# a SAD as the model has it: its kept signatures stay in the row unless asked for
_SAD = SAD_COLUMNS
_BY_TOKEN_QUERY = select(*_SAD).where(_t.token_hash == bindparam("token_hash"))
_BY_TOKEN = Prepared(_BY_TOKEN_QUERY)
_BY_TOKEN_LOCKED = Prepared(_BY_TOKEN_QUERY.with_for_update())
# … and a certificate, one row whatever is found: a signing's read
_WITH_CERTIFICATE = Prepared(
    select(*(c.label(f"s_{c.name}") for c in _SAD),
           *(c.label(f"c_{c.name}") for c in pki_certificates.c))
    .select_from(select(literal_column("1").label("one")).subquery("one")
                 .outerjoin(signature_activations, _t.token_hash == bindparam("token_hash"))
                 .outerjoin(pki_certificates, and_(_c.issuer == bindparam("b_issuer"),
                                                   _c.serial == bindparam("b_serial")))))
_INSERT = insert(signature_activations)
# what a save can change (the rest of a SAD is fixed when granted): the hashes spent, the end
_SAVE = (update(signature_activations).where(_t.id == bindparam("activation_id"))
         .values(signed=bindparam("b_signed"), revoked_at=bindparam("b_revoked_at")))
# compare and set: the hashes signed move on only from what the signer read, on a live SAD;
# the signatures made for them are appended in the same statement
SPEND_QUERY = (update(signature_activations)
               .where(_t.id == bindparam("activation_id"), _t.signed == bindparam("b_read"),
                      _t.revoked_at.is_(None))
               .values(signed=bindparam("b_signed"), kept=_t.kept + bindparam("b_kept")))
_SPEND = Prepared(SPEND_QUERY)
_KEEP = (update(signature_activations).where(_t.id == bindparam("activation_id"))
         .values(kept=_t.kept + bindparam("b_kept")))
_KEPT = select(_t.kept).where(_t.id == bindparam("activation_id"))
_FORGET = (update(signature_activations)
           .where(_t.expires_at <= bindparam("before"), _t.kept != "").values(kept=""))


def _lines(scheme: str, signatures: Mapping[str, str]) -> str:
    """Kept signatures (base64) as the ``kept`` column holds them: one line each."""
    return "".join(f"{scheme} {digest} {value}\n" for digest, value in signatures.items())


# the characters json.dumps writes as they are (and '"', counted apart)
_PLAIN = bytes(range(0x20, 0x7f)).replace(b"\\", b"")


def _hash_list(hashes: tuple[str, ...]) -> str:
    """``json.dumps(list(hashes))``, the text of the ``signed`` column (which the spend
    compares with what it read), written directly when nothing in it needs escaping, as in
    Base64 hashes: fifty of them cost the encoder some 120 000 instructions, this some 10 000."""
    joined = '", "'.join(hashes)
    if (not joined.isascii() or joined.encode().translate(None, _PLAIN)
            or joined.count('"') != 2 * len(hashes) - 2):
        return json.dumps(list(hashes))
    return f'["{joined}"]'


def spend_values(read: SignatureActivation, spent: SignatureActivation, scheme: str,
                 signatures: Mapping[str, str]) -> dict[str, Any]:
    """The parameters of ``SPEND_QUERY``."""
    return {"activation_id": read.id, "b_read": _hash_list(read.signed),
            "b_signed": _hash_list(spent.signed), "b_kept": _lines(scheme, signatures)}


def _values(a: SignatureActivation) -> dict[str, Any]:
    values = dict(a.__dict__)
    values["hashes"], values["signed"] = json.dumps(list(a.hashes)), json.dumps(list(a.signed))
    return values


def _activation(row: Any) -> SignatureActivation:  # a Row, or a prepared run's row
    return _activation_of(dict(row._mapping))


def _activation_of(m: dict[str, Any]) -> SignatureActivation:
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
        row = query.execute(self._conn, {"token_hash": token_hash}).first()
        return _activation(row) if row else None

    def save(self, activation: SignatureActivation) -> None:
        self._conn.execute(_SAVE, {"activation_id": activation.id,
                                   "b_signed": json.dumps(list(activation.signed)),
                                   "b_revoked_at": activation.revoked_at})

    def with_certificate(self, token_hash: str, issuer: str, serial: int,
                         ) -> tuple[SignatureActivation | None, IssuedCertificate | None]:
        serial_text = serial_hex(serial)
        m = signing_row(self._conn, token_hash, issuer, serial_text)  # read with the bearer?
        if m is None:
            m = _WITH_CERTIFICATE.execute(self._conn, {
                "token_hash": token_hash, "b_issuer": issuer, "b_serial": serial_text},
            ).first()._mapping
        activation = None if m["s_id"] is None else _activation_of(
            {c.name: m[f"s_{c.name}"] for c in _SAD})
        certificate = None if m["c_issuer"] is None else certificate_of(
            {c.name: m[f"c_{c.name}"] for c in pki_certificates.c})
        return activation, certificate

    def spend(self, read: SignatureActivation, spent: SignatureActivation, scheme: str,
              signatures: Mapping[str, str]) -> bool:
        done = _SPEND.execute(self._conn, spend_values(read, spent, scheme, signatures))
        return done.rowcount == 1

    def keep_signatures(self, activation: SignatureActivation, scheme: str,
                        signatures: Mapping[str, str]) -> None:
        self._conn.execute(_KEEP, {"activation_id": activation.id,
                                   "b_kept": _lines(scheme, signatures)})

    def kept_signatures(self, activation_id: str, scheme: str,
                        hashes: list[str]) -> list[bytes] | None:
        text = self._conn.execute(_KEPT, {"activation_id": activation_id}).scalar() or ""
        kept = {}
        for line in text.splitlines():
            kind, digest, value = line.split(" ")
            if kind == scheme:
                kept[digest] = value
        if not set(hashes) <= set(kept):
            return None
        return [base64.b64decode(kept[h]) for h in hashes]

    def forget_signatures(self, before: datetime) -> int:
        done = self._conn.execute(_FORGET, {"before": before})
        return int(done.rowcount or 0)
