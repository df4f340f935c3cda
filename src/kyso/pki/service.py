"""Running the CA: create the hierarchy once, issue, revoke, suspend and resume certificates.

Each use case is one unit of work; every change is audited in the same transaction, and a
change of revocation status signs the CA's next CRL in that transaction too. A subscriber's
key is generated before the transaction that certifies it (key generation is slow, and on
SQLite a transaction holds the write lock); if certifying fails, the key is destroyed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from kyso.accounts.identifiers import normalize_login
from kyso.accounts.model import Account, AccountStatus
from kyso.audit.model import AuditEvent
from kyso.clock import Clock
from kyso.errors import Conflict, InvalidInput, NotFound
from kyso.keys.model import KeyAlgorithm, KeyHandle
from kyso.keys.ports import KeyStore
from kyso.pki.certificates import build_certificate
from kyso.pki.config import PkiConfig
from kyso.pki.directory import Directory, Entry
from kyso.pki.errors import CertificateNotFound
from kyso.pki.hierarchy import (
    create_hierarchy,
    create_receipt_seal,
    create_seal,
    issued_record,
)
from kyso.pki.model import (
    RECEIPTS,
    ROOT,
    SEAL,
    Authority,
    IssuedCertificate,
    RevocationReason,
)
from kyso.pki.profiles import individual_template, validity
from kyso.pki.publishing import CrlIssuer
from kyso.pki.signer import random_serial
from kyso.pki.subject import IdentityDocument, PersonSubject
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["IssueRequest", "PkiService"]

log = logging.getLogger(__name__)
Transition = Callable[[IssuedCertificate, datetime], IssuedCertificate]


@dataclass(frozen=True)
class IssueRequest:
    """A certificate for an account's new key. Name and ID default to the account's."""

    account: str  # account id, or a login name (username, phone, email, ID number)
    province: str
    locality: str
    common_name: str | None = None
    identity: str | None = None  # CCCD:…, CMND:… or HC:…
    days: int | None = None
    algorithm: KeyAlgorithm | None = None


class PkiService:
    def __init__(self, uow_factory: UnitOfWorkFactory, keystore: KeyStore, clock: Clock,
                 config: PkiConfig, directory: Directory, crls: CrlIssuer,
                 serial: Callable[[], int] = random_serial) -> None:
        self._uow = uow_factory
        self._keystore = keystore
        self._clock = clock
        self._config = config
        self._directory = directory
        self._crls = crls
        self._serial = serial

    # -- the hierarchy ------------------------------------------------------------------
    def initialize(self, *, actor: str = "system") -> tuple[list[Authority], bool]:
        """Create the root CA, issuing CA, OCSP responder and TSA unless they exist.
        Returns the authorities and whether they were created now."""
        with self._uow() as uow:
            existing = uow.pki.authorities()
            if existing:
                return existing, False
            at = self._clock.now()
            hierarchy = create_hierarchy(self._keystore, self._config, at, self._serial)
            try:
                self._store_hierarchy(uow, hierarchy.authorities, hierarchy.issued, at, actor)
                uow.commit()
            except BaseException:
                self._destroy(hierarchy.keys())
                raise
        log.info("created the CA hierarchy (%s)", self._keystore.name)
        return list(hierarchy.authorities), True

    def _store_hierarchy(self, uow: UnitOfWork, authorities: Sequence[Authority],
                         issued: Sequence[IssuedCertificate], at: datetime, actor: str) -> None:
        for authority in authorities:
            uow.pki.add_key(authority.key, at)
            uow.pki.add_authority(authority)
        for record in issued:
            uow.pki.add_certificate(record)
        for authority in authorities:
            if authority.role.is_ca:
                self._crls.reissue(uow.pki, authority.name, at)
        uow.audit.append(AuditEvent("pki.hierarchy.created", actor=actor, details={
            "backend": self._keystore.name, "issuing_ca": self._config.issuing_ca}), at)

    def seal(self, *, actor: str = "system") -> Authority:
        """kyso's organisation seal (an authority certified by the issuing CA), created the
        first time it is asked for."""
        return self._member(SEAL, create_seal, actor)

    def receipt_seal(self, *, actor: str = "system") -> Authority:
        """The seal of signing receipts (its own key, certificate and policy OID, certified
        by the issuing CA), created the first time it is asked for."""
        return self._member(RECEIPTS, create_receipt_seal, actor)

    def _member(self, name: str, create: Callable[..., Authority], actor: str) -> Authority:
        with self._uow(read_only=True) as uow:  # a read (each batch of receipts asks)
            found = uow.pki.authority(name)
            if found is not None:
                return found
            issuing = self._issuing(uow).authority
        made = create(self._keystore, self._config, issuing, self._clock.now(), self._serial)
        try:
            with self._uow() as uow:
                if uow.pki.authority(name) is None:
                    self._store_hierarchy_member(uow, made, actor)
                    uow.commit()
                    return made
        except BaseException:
            self._destroy([made.key])
            raise
        self._destroy([made.key])  # another worker made it first
        return self._member(name, create, actor)

    def _store_hierarchy_member(self, uow: UnitOfWork, authority: Authority,
                                actor: str) -> None:
        at = authority.created_at
        uow.pki.add_key(authority.key, at)
        uow.pki.add_authority(authority)
        uow.pki.add_certificate(issued_record(authority))
        uow.audit.append(AuditEvent(f"pki.{authority.name}.created", actor=actor, details={
            "serial": f"{authority.serial:X}", "issuer": authority.issuer}), at)

    def authorities(self) -> list[Authority]:
        with self._uow() as uow:
            return uow.pki.authorities()

    # -- issuance -----------------------------------------------------------------------
    def issue(self, request: IssueRequest, *, actor: str) -> IssuedCertificate:
        with self._uow() as uow:
            self._directory.get(uow.pki, ROOT)
            account = self._account(uow, request.account)
            subject = _subject(request, account)
        days = self._config.certificate_days if request.days is None else request.days
        window = validity(self._clock.now(), days)
        algorithm = request.algorithm or self._config.subscriber_key
        key = self._keystore.generate(algorithm, label=f"account {account.id}")
        try:
            return self._certify(account, subject, key, window, actor)
        except BaseException:
            self._destroy([key])
            raise

    def _certify(self, account: Account, subject: PersonSubject, key: KeyHandle,
                 window: tuple[datetime, datetime], actor: str) -> IssuedCertificate:
        with self._uow() as uow:
            issuer = self._issuing(uow)
            self._account(uow, account.id)
            template = individual_template(self._config, issuer.authority.name, issuer.signer,
                                           subject, key.public_key_der, self._serial(), window)
            record = IssuedCertificate(
                issuer=issuer.authority.name, serial=template.serial,
                subject=subject.common_name, uid=subject.uid,
                certificate=build_certificate(template, issuer.signer),
                not_before=window[0], not_after=window[1], created_at=self._clock.now(),
                account_id=account.id, key_id=key.key_id)
            uow.pki.add_key(key, record.created_at)
            uow.pki.add_certificate(record)
            self._audit(uow, "pki.certificate.issued", record, actor)
            uow.commit()
        return record

    # -- status changes -----------------------------------------------------------------
    def revoke(self, serial: int, reason: RevocationReason, *, actor: str,
               issuer: str | None = None) -> IssuedCertificate:
        def transition(c: IssuedCertificate, at: datetime) -> IssuedCertificate:
            return c.revoke(reason, at)

        return self._change(serial, issuer, actor, "pki.certificate.revoked", transition)

    def suspend(self, serial: int, *, actor: str, issuer: str | None = None) -> IssuedCertificate:
        def transition(c: IssuedCertificate, at: datetime) -> IssuedCertificate:
            return c.suspend(at, by=actor)

        return self._change(serial, issuer, actor, "pki.certificate.suspended", transition)

    def resume(self, serial: int, *, actor: str, issuer: str | None = None) -> IssuedCertificate:
        return self._change(serial, issuer, actor, "pki.certificate.resumed",
                            IssuedCertificate.resume)

    def _change(self, serial: int, issuer: str | None, actor: str, action: str,
                transition: Transition) -> IssuedCertificate:
        with self._uow() as uow:
            found = self._find(uow, serial, issuer)
            current = uow.pki.certificate(found.issuer, serial, for_update=True)
            assert current is not None
            at = self._clock.now()
            changed = transition(current, at)
            uow.pki.save_certificate(changed)
            self._crls.reissue(uow.pki, changed.issuer, at)
            self._audit(uow, action, changed, actor)
            uow.commit()
        return changed

    # -- queries ------------------------------------------------------------------------
    def certificate(self, serial: int, *, issuer: str | None = None) -> IssuedCertificate:
        with self._uow() as uow:
            return self._find(uow, serial, issuer)

    def certificates(self, *, account: str | None = None,
                     limit: int = 100) -> Sequence[IssuedCertificate]:
        with self._uow() as uow:
            account_id = self._account(uow, account).id if account else None
            return uow.pki.certificates(account_id=account_id, limit=limit)

    # -- helpers ------------------------------------------------------------------------
    def _issuing(self, uow: UnitOfWork) -> Entry:
        self._directory.get(uow.pki, ROOT)
        return self._directory.ca(uow.pki, self._config.issuing_ca)

    @staticmethod
    def _account(uow: UnitOfWork, ref: str) -> Account:
        account = uow.accounts.get(ref) or uow.accounts.find_by_login(normalize_login(ref))
        if account is None:
            raise NotFound(f"no account {ref!r}")
        if account.status is not AccountStatus.ACTIVE:
            raise Conflict(f"the account is {account.status.value}")
        return account

    @staticmethod
    def _find(uow: UnitOfWork, serial: int, issuer: str | None) -> IssuedCertificate:
        if issuer is not None:
            found = uow.pki.certificate(issuer, serial)
            if found is None:
                raise CertificateNotFound(f"{serial:X} from {issuer}")
            return found
        matches = list(uow.pki.with_serial(serial))
        if not matches:
            raise CertificateNotFound(f"{serial:X}")
        if len(matches) > 1:
            raise InvalidInput(f"serial {serial:X} was issued by several CAs: name the issuer")
        return matches[0]

    def _audit(self, uow: UnitOfWork, action: str, record: IssuedCertificate,
               actor: str) -> None:
        details: dict[str, str | int | bool | None] = {
            "issuer": record.issuer, "serial": f"{record.serial:X}",
            "reason": record.reason.value if record.reason else None}
        event = AuditEvent(action, actor=actor, subject=record.account_id, details=details)
        uow.audit.append(event, self._clock.now())

    def _destroy(self, handles: Sequence[KeyHandle]) -> None:
        for handle in handles:
            try:
                self._keystore.destroy(handle)
            except Exception:  # the original error matters more than a failed clean-up
                log.warning("could not destroy key %s after a failure", handle.key_id)


def _subject(request: IssueRequest, account: Account) -> PersonSubject:
    if request.identity:
        identity = IdentityDocument.parse(request.identity)
    elif account.id_number:
        identity = IdentityDocument.from_number(account.id_number)
    else:
        raise InvalidInput("the account has no ID number: give the identity (CCCD:…)")
    return PersonSubject(request.common_name or account.full_name, request.province,
                         request.locality, identity)
