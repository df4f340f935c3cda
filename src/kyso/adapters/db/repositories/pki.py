"""The PKI repository: key handles, authorities, issued certificates and CRLs. Never commits."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, Select, bindparam, insert, select, update

from kyso.adapters.db.prepared import Prepared
from kyso.adapters.db.tables.pki import pki_authorities, pki_certificates, pki_crls, pki_keys
from kyso.keys.model import KeyAlgorithm, KeyHandle
from kyso.pki.model import (
    Authority,
    AuthorityRole,
    CertificateStatus,
    CrlRecord,
    IssuedCertificate,
    RevocationReason,
)

__all__ = ["SqlPkiRepository", "certificate_of", "serial_hex"]

_REVOKED = (CertificateStatus.REVOKED.value, CertificateStatus.SUSPENDED.value)


# one certificate by issuer and serial: every signature looks its credential up this way
_CERTIFICATE_QUERY = select(pki_certificates).where(
    pki_certificates.c.issuer == bindparam("b_issuer"),
    pki_certificates.c.serial == bindparam("b_serial"))
_CERTIFICATE = Prepared(_CERTIFICATE_QUERY)
_CERTIFICATE_LOCKED = Prepared(_CERTIFICATE_QUERY.with_for_update())

class SqlPkiRepository:
    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    # -- keys and authorities -----------------------------------------------------------
    def add_key(self, handle: KeyHandle, at: datetime) -> None:
        self._conn.execute(insert(pki_keys).values(
            key_id=handle.key_id, algorithm=handle.algorithm.value, backend=handle.backend,
            label=handle.label[:200], public_key=handle.public_key_der, ref=handle.ref,
            created_at=at,
        ))

    def key(self, key_id: str) -> KeyHandle | None:
        row = self._conn.execute(select(pki_keys).where(pki_keys.c.key_id == key_id)).first()
        return _key(row._mapping) if row else None

    def add_authority(self, authority: Authority) -> None:
        self._conn.execute(insert(pki_authorities).values(
            name=authority.name, role=authority.role.value, issuer=authority.issuer,
            key_id=authority.key.key_id, serial=serial_hex(authority.serial),
            certificate=authority.certificate, created_at=authority.created_at,
        ))

    def authority(self, name: str) -> Authority | None:
        row = self._conn.execute(_authorities().where(pki_authorities.c.name == name)).first()
        return _authority(row) if row else None

    def authorities(self) -> list[Authority]:
        rows = self._conn.execute(_authorities().order_by(pki_authorities.c.created_at))
        return [_authority(row) for row in rows]

    # -- issued certificates ------------------------------------------------------------
    def add_certificate(self, certificate: IssuedCertificate) -> None:
        self._conn.execute(insert(pki_certificates).values(**_certificate_values(certificate)))

    def save_certificate(self, certificate: IssuedCertificate) -> None:
        c = pki_certificates.c
        self._conn.execute(
            update(pki_certificates)
            .where(c.issuer == certificate.issuer, c.serial == serial_hex(certificate.serial))
            .values(status=certificate.status.value, revoked_at=certificate.revoked_at,
                    reason=certificate.reason.value if certificate.reason else None,
                    suspended_by=certificate.suspended_by)
        )

    def certificate(
        self, issuer: str, serial: int, *, for_update: bool = False
    ) -> IssuedCertificate | None:
        query = _CERTIFICATE_LOCKED if for_update else _CERTIFICATE
        row = query.execute(self._conn, {"b_issuer": issuer,
                                         "b_serial": serial_hex(serial)}).first()
        return _certificate(row) if row else None

    def with_serial(self, serial: int) -> Sequence[IssuedCertificate]:
        query = select(pki_certificates).where(pki_certificates.c.serial == serial_hex(serial))
        return [_certificate(row) for row in self._conn.execute(query)]

    def certificates(
        self, *, account_id: str | None = None, limit: int = 100
    ) -> Sequence[IssuedCertificate]:
        c = pki_certificates.c
        query = select(pki_certificates).order_by(c.created_at.desc(), c.serial).limit(limit)
        if account_id is not None:
            query = query.where(c.account_id == account_id)
        return [_certificate(row) for row in self._conn.execute(query)]

    def revoked(self, issuer: str, at: datetime) -> Sequence[IssuedCertificate]:
        c = pki_certificates.c
        query = select(pki_certificates).where(
            c.issuer == issuer, c.status.in_(_REVOKED), c.not_after > at
        )
        return [_certificate(row) for row in self._conn.execute(query)]

    # -- CRLs ---------------------------------------------------------------------------
    def add_crl(self, record: CrlRecord) -> None:
        self._conn.execute(insert(pki_crls).values(**_crl_values(record)))

    def save_crl(self, record: CrlRecord) -> None:
        values = _crl_values(record)
        del values["issuer"]
        self._conn.execute(
            update(pki_crls).where(pki_crls.c.issuer == record.issuer).values(**values)
        )

    def crl(self, issuer: str, *, for_update: bool = False) -> CrlRecord | None:
        query = select(pki_crls).where(pki_crls.c.issuer == issuer)
        row = self._conn.execute(query.with_for_update() if for_update else query).first()
        if row is None:
            return None
        m = row._mapping
        return CrlRecord(m["issuer"], m["number"], m["this_update"], m["next_update"], m["der"])


def serial_hex(serial: int) -> str:
    """A serial as the ``serial`` columns hold it."""
    return format(serial, "x")


def _authorities() -> Select[Any]:
    k = pki_keys.c
    return select(pki_authorities, k.algorithm, k.backend, k.label, k.public_key, k.ref).join(
        pki_keys, k.key_id == pki_authorities.c.key_id
    )


def _key(m: Any) -> KeyHandle:
    return KeyHandle(m["key_id"], KeyAlgorithm(m["algorithm"]), m["public_key"], m["backend"],
                     m["ref"], m["label"])


def _authority(row: Row[Any]) -> Authority:
    m = row._mapping
    return Authority(
        name=m["name"], role=AuthorityRole(m["role"]), certificate=m["certificate"],
        serial=int(m["serial"], 16), key=_key(m), created_at=m["created_at"],
        issuer=m["issuer"],
    )


def _certificate_values(c: IssuedCertificate) -> dict[str, Any]:
    return {
        "issuer": c.issuer, "serial": serial_hex(c.serial), "account_id": c.account_id,
        "key_id": c.key_id, "subject": c.subject[:200], "uid": c.uid,
        "certificate": c.certificate, "not_before": c.not_before, "not_after": c.not_after,
        "status": c.status.value, "revoked_at": c.revoked_at,
        "reason": c.reason.value if c.reason else None, "created_at": c.created_at,
        "suspended_by": c.suspended_by,
    }


def _certificate(row: Row[Any]) -> IssuedCertificate:
    return certificate_of(row._mapping)


def certificate_of(m: Mapping[Any, Any]) -> IssuedCertificate:
    """A ``pki_certificates`` row's certificate, from its columns by name."""
    return IssuedCertificate(
        issuer=m["issuer"], serial=int(m["serial"], 16), subject=m["subject"],
        certificate=m["certificate"], not_before=m["not_before"], not_after=m["not_after"],
        created_at=m["created_at"], uid=m["uid"], account_id=m["account_id"],
        key_id=m["key_id"], status=CertificateStatus(m["status"]),
        revoked_at=m["revoked_at"], reason=RevocationReason(m["reason"]) if m["reason"] else None,
        suspended_by=m["suspended_by"],
    )


def _crl_values(r: CrlRecord) -> dict[str, Any]:
    return {"issuer": r.issuer, "number": r.number, "this_update": r.this_update,
            "next_update": r.next_update, "der": r.der}
