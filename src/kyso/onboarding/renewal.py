"""Gia hạn: a customer renews an active certificate before it ends — a new key and a new
certificate with the same name, ID and place, under the same SmartOTP, and the certificate
package they paid for applied to it without an operator.

The customer buys a certificate package first (``POST /api/v1/billing/orders`` without a
certificate: once paid it waits, ``awaiting_issuance``), then :meth:`RenewalService.request`
opens a ``certificate_renewal`` transaction over the old certificate and that order, SmartOTP
only. Confirming issues the new certificate and attaches the order to it
(:meth:`Provisioner.attach`); the old certificate stays valid until its own end.

The renewed certificate has no registration of its own, so the acceptance gate lets it sign:
it inherits the accepted status of the certificate it renews (same person, same contract). A
certificate still awaiting its acceptance record cannot be renewed. The audit event
``certificate.renewed`` records the link old → new.
"""

from __future__ import annotations

from cryptography import x509
from cryptography.x509.oid import NameOID

from kyso.audit.model import AuditEvent
from kyso.billing.catalog import ProductKind
from kyso.billing.orders import Order, OrderPurpose, OrderStatus
from kyso.billing.provisioning import Provisioner
from kyso.clock import Clock
from kyso.errors import Conflict, NotFound, Text
from kyso.notify.service import Notifier
from kyso.onboarding.states import State
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge, Method
from kyso.otp.transactions import Kind, TransactionService
from kyso.pki.model import CertificateStatus, IssuedCertificate, RevocationReason, short_serial
from kyso.pki.service import IssueRequest, PkiService
from kyso.signing.credentials import credential_id, find_credential
from kyso.signing.stamp import VIETNAM
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["RENEWAL_KIND", "NotRenewable", "OrderNotReady", "RenewalService", "renewal_kind"]

RENEWAL_KIND = "certificate_renewal"


class NotRenewable(Conflict):
    code = "not_renewable"
    vi = ("Chứng thư số này đã bị thu hồi, tạm dừng, hết hạn hoặc chưa ký Biên bản nghiệm thu "
          "nên không thể gia hạn.")
    en = ("This certificate is revoked, suspended, expired or awaits its acceptance record; "
          "it cannot be renewed.")


class OrderNotReady(Conflict):
    code = "order_state"
    vi = ("Đơn hàng chưa được thanh toán, đã được dùng hoặc không phải gói chứng thư số; "
          "vui lòng thanh toán gói chứng thư số trước khi gia hạn.")
    en = ("The order is not paid, already used or not a certificate package; pay for a "
          "certificate package before renewing.")


class UnknownRenewal(NotFound):
    code = "not_found"
    vi = "Không tìm thấy chứng thư số hoặc đơn hàng."
    en = "No such certificate or order."


class RenewalService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock,
                 transactions: TransactionService) -> None:
        self._uow, self._clock, self._transactions = uow_factory, clock, transactions

    def request(self, account_id: str, old_credential: str, order_id: str) -> Challenge:
        """The transaction to confirm (SmartOTP) once the order is paid."""
        with self._uow() as uow:
            old = renewable(uow, account_id, old_credential, self._clock)
            order = waiting(uow, account_id, order_id, old_credential)
            challenge = self._transactions.create(uow, account_id, RENEWAL_KIND, {
                "description": "Gia hạn chứng thư số", "credential": old_credential,
                "holder": old.subject, "serial": short_serial(old.serial),
                "validity": validity(old), "order_id": order.id, "product": order.name})
            uow.commit()
            return challenge


def validity(cert: IssuedCertificate) -> str:
    """``dd/MM/yyyy – dd/MM/yyyy`` in Vietnam's time."""
    return " – ".join(f"{at.astimezone(VIETNAM):%d/%m/%Y}"
                      for at in (cert.not_before, cert.not_after))


def renewable(uow: UnitOfWork, account_id: str, wanted: str, clock: Clock) -> IssuedCertificate:
    """The caller's certificate, active now and accepted (or older than onboarding)."""
    try:
        found = find_credential(uow, account_id, wanted[:80])
    except NotFound:
        raise UnknownRenewal() from None
    if found.status_at(clock.now()) is not CertificateStatus.ACTIVE:
        raise NotRenewable()
    registration = uow.onboarding.by_credential(found.id)
    if registration is not None and registration.state is State.APPROVED:
        raise NotRenewable()
    return found.certificate


def waiting(uow: UnitOfWork, account_id: str, order_id: str, renewed: str) -> Order:
    """The caller's paid certificate package that waits for its certificate: bought to
    renew ``renewed``, or for no step in particular — not a registration's package, nor one
    that renews another certificate."""
    order = uow.billing.order(order_id[:32])
    if order is None or order.account_id != account_id:
        raise UnknownRenewal()
    if (order.kind is not ProductKind.CERTIFICATE
            or order.status is not OrderStatus.AWAITING_ISSUANCE
            or order.purpose is OrderPurpose.REGISTRATION
            or (order.purpose is OrderPurpose.RENEWAL and order.renews != renewed)):
        raise OrderNotReady()
    return order


def renewal_kind(uow_factory: UnitOfWorkFactory, clock: Clock, pki: PkiService,
                 provisioner: Provisioner, notifier: Notifier) -> Kind:
    """Confirming issues the new certificate, then applies the order to it."""

    def apply(uow: UnitOfWork, challenge: Challenge) -> None:
        renewable(uow, challenge.account_id, challenge.details["credential"], clock)
        waiting(uow, challenge.account_id, challenge.details["order_id"],
                challenge.details["credential"])

    def after(challenge: Challenge, proof: FactorProof) -> None:
        with uow_factory() as uow:
            old = renewable(uow, challenge.account_id, challenge.details["credential"], clock)
        issued = pki.issue(_same_subject(old), actor=challenge.account_id)
        new = credential_id(issued.issuer, issued.serial)
        try:
            provisioner.attach(challenge.details["order_id"], new, actor=challenge.account_id)
        except BaseException:  # the order was used meanwhile: withdraw the new certificate
            pki.revoke(issued.serial, RevocationReason.CESSATION_OF_OPERATION,
                       actor=challenge.account_id, issuer=issued.issuer)
            raise
        with uow_factory() as uow:
            _record(uow, challenge, new, issued, clock, notifier)
            uow.commit()

    return Kind(RENEWAL_KIND, Purpose.SIGN, apply, after, method=Method.SMARTOTP)


def _same_subject(old: IssuedCertificate) -> IssueRequest:
    name = x509.load_der_x509_certificate(old.certificate).subject

    def first(oid: x509.ObjectIdentifier) -> str:
        return str(name.get_attributes_for_oid(oid)[0].value)

    assert old.account_id is not None
    return IssueRequest(account=old.account_id, province=first(NameOID.STATE_OR_PROVINCE_NAME),
                        locality=first(NameOID.LOCALITY_NAME), common_name=old.subject,
                        identity=old.uid)


def _record(uow: UnitOfWork, challenge: Challenge, new: str, issued: IssuedCertificate,
            clock: Clock, notifier: Notifier) -> None:
    uow.audit.append(AuditEvent("certificate.renewed", actor=challenge.account_id,
                                subject=new, details={
                                    "renews": challenge.details["credential"],
                                    "order": challenge.details["order_id"],
                                    "transaction": challenge.id}), clock.now())
    until = issued.not_after.strftime("%d/%m/%Y")
    notifier.post(uow, challenge.account_id,
                  Text("Đã gia hạn chứng thư số", "Certificate renewed"),
                  Text(f"Chứng thư số mới (số hiệu {issued.serial:X}) có hiệu lực đến {until}. "
                       "Chứng thư số cũ vẫn dùng được đến hết thời hạn của nó.",
                       f"The new certificate (serial number {issued.serial:X}) is valid until "
                       f"{until}. The old certificate stays usable until it expires."))
