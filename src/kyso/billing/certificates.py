"""The certificates view ("Chứng thư số"): each of a customer's certificates with its
package, term and available signatures ("lượt ký khả dụng"), read from the PKI, the
certificate plans and the quota ledger."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from kyso.billing.catalog import Plan
from kyso.billing.ports import QuotaBook
from kyso.clock import Clock
from kyso.signing.credentials import list_credentials
from kyso.uow import UnitOfWorkFactory

__all__ = ["CertificateView", "CertificatesView"]


@dataclass(frozen=True)
class CertificateView:
    credential_id: str
    subject: str
    serial: str  # hex
    status: str
    not_before: datetime
    not_after: datetime
    package: str | None  # the package's name, if one was bought
    plan: Plan | None
    term_start: datetime | None
    term_end: datetime | None
    available: int  # signatures that can still be made (counted ones)
    reserved: int
    consumed: int
    unlimited_until: datetime | None  # set while an unlimited term runs
    package_en: str | None = None  # the package's English name (else ``package``)

    @property
    def unlimited(self) -> bool:
        return self.unlimited_until is not None


class CertificatesView:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, quota: QuotaBook) -> None:
        self._uow, self._clock, self._quota = uow_factory, clock, quota

    def for_account(self, account_id: str) -> list[CertificateView]:
        now = self._clock.now()
        views = []
        with self._uow() as uow:
            for credential in list_credentials(uow, account_id):
                cert = credential.certificate
                plan = uow.billing.plan(credential.id)
                balance = self._quota.balance(uow, credential.id)
                until = balance.unlimited_until
                views.append(CertificateView(
                    credential_id=credential.id, subject=cert.subject, serial=f"{cert.serial:x}",
                    status=credential.status_at(now).value, not_before=cert.not_before,
                    not_after=cert.not_after, package=plan.name if plan else None,
                    package_en=plan.name_in("en") if plan else None,
                    plan=plan.plan if plan else None, term_start=plan.starts_at if plan else None,
                    term_end=plan.ends_at if plan else None, available=balance.available,
                    reserved=balance.reserved, consumed=balance.consumed,
                    unlimited_until=until if until is not None and now < until else None))
        return views
