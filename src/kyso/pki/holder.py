"""The holder's own hold: a customer suspends their certificate at once with the account PIN
(a lost phone) and resumes it the same way — only a suspension they made themselves; one
made by the CA's staff stays until the staff lifts it. Each change is audited by
:class:`PkiService` (``pki.certificate.suspended`` / ``resumed``, the holder as actor, the
CRL reissued) and told to the customer in the app, by SMS and by email."""

from __future__ import annotations

from kyso.clock import Clock
from kyso.errors import PermissionDenied, Text
from kyso.notify.service import Notifier
from kyso.otp.smartotp import PinChecker
from kyso.pki.errors import CertificateNotFound
from kyso.pki.model import IssuedCertificate
from kyso.pki.service import PkiService
from kyso.support import DESK
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["HolderService", "NotYourHold"]


class NotYourHold(PermissionDenied):
    code = "suspended_by_staff"
    vi = ("Chứng thư số đang bị tạm dừng bởi tổ chức cung cấp dịch vụ; vui lòng liên hệ "
          "{desk} để tiếp tục sử dụng.")
    en = "The certificate was suspended by the service provider; contact {desk}."


class HolderService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, pki: PkiService,
                 pins: PinChecker, notifier: Notifier) -> None:
        self._uow, self._clock, self._pki, self._pins = uow_factory, clock, pki, pins
        self._notifier = notifier

    def suspend(self, account_id: str, credential_id: str, pin: str) -> IssuedCertificate:
        found = self._checked(account_id, credential_id, pin)
        changed = self._pki.suspend(found.serial, actor=account_id, issuer=found.issuer)
        self._tell(changed, Text("Chứng thư số của Quý khách đã được tạm dừng",
                                 "Your certificate is suspended"),
                   Text("Mọi chữ ký bằng chứng thư số này bị từ chối cho tới khi Quý khách tiếp "
                        "tục sử dụng.", "Every signature with this certificate is refused until "
                        "you resume it."))
        return changed

    def resume(self, account_id: str, credential_id: str, pin: str) -> IssuedCertificate:
        found = self._checked(account_id, credential_id, pin)
        if found.suspended_by not in (None, account_id):
            raise NotYourHold()
        changed = self._pki.resume(found.serial, actor=account_id, issuer=found.issuer)
        self._tell(changed, Text("Chứng thư số của Quý khách đã được tiếp tục sử dụng",
                                 "Your certificate is in use again"), None)
        return changed

    def _checked(self, account_id: str, credential_id: str, pin: str) -> IssuedCertificate:
        """The account's certificate, once the account PIN is right (a wrong one counts)."""
        with self._uow() as uow:
            found = _mine(uow, account_id, credential_id)
            self._pins.verify_pin(uow, account_id, pin)
            uow.commit()
            return found

    def _tell(self, cert: IssuedCertificate, title: Text, extra: Text | None) -> None:
        assert cert.account_id is not None
        at = f"{self._clock.now():%d/%m/%Y %H:%M} (UTC)"
        body = Text(" ".join(filter(None, (
            f"{title.vi} lúc {at} — số hiệu {cert.serial:X}.", extra and extra.vi,
            f"Nếu không phải Quý khách, hãy liên hệ ngay {DESK}."))), " ".join(filter(None, (
            f"{title.en} at {at} — serial number {cert.serial:X}.", extra and extra.en,
            f"If this was not you, contact {DESK} at once."))))
        with self._uow() as uow:
            account = uow.accounts.get(cert.account_id)
            assert account is not None
            self._notifier.tell(uow, account, title, body, purpose="CERTIFICATE_HOLD")
            uow.commit()


def _mine(uow: UnitOfWork, account_id: str, credential_id: str) -> IssuedCertificate:
    issuer, dash, serial = credential_id[:120].rpartition("-")
    try:
        number = int(serial, 16) if dash and issuer else 0
    except ValueError:
        number = 0
    found = uow.pki.certificate(issuer, number) if number > 0 else None
    if found is None or found.account_id != account_id:
        raise CertificateNotFound(credential_id[:80])
    return found
