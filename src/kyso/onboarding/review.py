"""The RA officers' side: the review queue, approve (issue the certificate) or reject.

An officer (role ``ra_officer`` or ``admin``) sees the case, its checks and its images, and
decides; an officer never decides on their own registration. Approval generates the key in
the key store and issues the certificate with the Vietnamese individual profile (outside the
registration's transaction: key generation is slow), then moves the registration to
*approved* and tells the customer in the app and by email. Every decision is audited with
the officer's id. Billing then gives the paid package to the certificate; a refusal there
does not undo the approval (``onboarding.package_not_attached`` is audited).
"""

from __future__ import annotations

from dataclasses import replace

from kyso.accounts.model import Role
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import KysoError, Text
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.onboarding.errors import (
    InvalidField,
    NotAnOfficer,
    OwnRegistration,
    RegistrationNotFound,
)
from kyso.onboarding.journal import move
from kyso.onboarding.model import Registration, Review
from kyso.onboarding.ports import Packages
from kyso.onboarding.search import CaseQuery
from kyso.onboarding.states import Event, State
from kyso.pki.model import RevocationReason
from kyso.pki.service import IssueRequest, PkiService
from kyso.signing.model import credential_id
from kyso.signing.storage import BlobStore
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["APPROVED_TITLE", "ReviewService"]

APPROVED_TITLE = Text("Yêu cầu cấp chứng thư số đã được duyệt",
                      "Your certificate request is approved")
_OFFICERS = (Role.RA_OFFICER, Role.ADMIN)


class ReviewService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, pki: PkiService,
                 notifier: Notifier, packages: Packages, blobs: BlobStore) -> None:
        self._uow, self._clock, self._pki, self._notifier = uow_factory, clock, pki, notifier
        self._packages, self._blobs = packages, blobs

    def queue(self, officer: str, state: State = State.UNDER_REVIEW, limit: int = 100,
              offset: int = 0, query: str = "") -> list[Registration]:
        """A page of the cases in ``state``, found by a part of the holder's name or ID number
        when ``query`` says one (at most 64 characters: InvalidField beyond)."""
        try:
            wanted = CaseQuery.parse(query)
        except ValueError:
            raise InvalidField(field="q", reason=Text("tối đa 64 ký tự",
                                                      "at most 64 characters")) from None
        with self._uow() as uow:
            _officer(uow, officer)
            return uow.onboarding.in_state(state, limit, offset, wanted)

    def show(self, officer: str, registration_id: str) -> Registration:
        with self._uow() as uow:
            _officer(uow, officer)
            return _get(uow, registration_id, lock=False)

    def image(self, officer: str, registration_id: str, which: str) -> bytes:
        found = self.show(officer, registration_id)
        if found.images is None or which not in ("front", "back", "portrait"):
            raise RegistrationNotFound()
        return self._blobs.get(getattr(found.images, which))

    def contract(self, officer: str, registration_id: str) -> bytes:
        """The contract the customer accepted (kyso's sealed copy once made)."""
        found = self.show(officer, registration_id)
        accepted = found.sealed_contract_sha256 or found.contract_sha256
        if accepted is None:
            raise RegistrationNotFound()
        return self._blobs.get(accepted)

    def approve(self, officer: str, registration_id: str) -> Registration:
        with self._uow() as uow:
            current = self._decidable(uow, officer, registration_id)
        owner, contact = current.owner, current.contact
        issued = self._pki.issue(IssueRequest(
            account=current.account_id, province=contact.province, locality=contact.locality,
            common_name=owner.full_name, identity=owner.document.uid), actor=officer)
        cred = credential_id(issued.issuer, issued.serial)
        with self._uow() as uow:
            current = _get(uow, registration_id, lock=True)
            if current.state is State.UNDER_REVIEW:
                review = Review(officer, self._clock.now(), approved=True)
                current = move(uow, current, Event.APPROVE, review.decided_at, actor=officer,
                               review=review, credential_id=cred)
                self._verified_id(uow, current, officer)
                self._tell(uow, current, APPROVED_TITLE, Text(
                    "Hãy đăng nhập ứng dụng kyso để ký Biên bản nghiệm thu và bắt đầu sử dụng "
                    "chứng thư số.", "Log in to the kyso app to sign the acceptance record and "
                    "start using your certificate."))
                uow.commit()
        if current.credential_id != cred:  # decided meanwhile: withdraw this certificate
            self._pki.revoke(issued.serial, RevocationReason.CESSATION_OF_OPERATION,
                             actor=officer, issuer=issued.issuer)
            current.expect(State.UNDER_REVIEW, Event.APPROVE)
        if current.order_id:
            self._attach(officer, current, cred)
        return current

    def reject(self, officer: str, registration_id: str, reason: str, *,
               resubmittable: bool) -> Registration:
        reason = " ".join(reason.split())
        if not 3 <= len(reason) <= 500:
            raise InvalidField(field="reason", reason=Text("từ 3 đến 500 ký tự",
                                                           "3..500 characters"))
        with self._uow() as uow:
            current = self._decidable(uow, officer, registration_id)
            review = Review(officer, self._clock.now(), False, reason, resubmittable)
            current = move(uow, current, Event.REJECT, review.decided_at, actor=officer,
                           review=review)
            more = (Text(" Quý khách có thể bổ sung, chỉnh sửa và gửi lại hồ sơ.",
                         " You may complete, correct and send the application again.")
                    if resubmittable else Text("", ""))
            self._tell(uow, current, Text("Yêu cầu cấp chứng thư số bị từ chối",
                                          "Your certificate request was refused"),
                       Text(f"Lý do: {reason}.{more.vi}", f"Reason: {reason}.{more.en}"))
            uow.commit()
            return current

    def _attach(self, officer: str, current: Registration, cred: str) -> None:
        """Give the paid package to the new certificate; if billing refuses, the approval
        stands (committed) and the refusal is audited for an operator (``kyso billing
        attach``) instead of failing a decision already made."""
        assert current.order_id is not None
        try:
            self._packages.issued(current.account_id, current.order_id, cred)
        except KysoError as exc:
            with self._uow() as uow:
                uow.audit.append(AuditEvent(
                    "onboarding.package_not_attached", Outcome.FAILURE, actor=officer,
                    subject=current.account_id,
                    details={"registration": current.id, "order": current.order_id,
                             "credential": cred, "error": exc.code}), self._clock.now())
                uow.commit()

    def _verified_id(self, uow: UnitOfWork, r: Registration, officer: str) -> None:
        """The approved card's number becomes the account's ID number: from now on
        public-service portals (SP769), the support desk and billing find the customer by it.
        Never overwritten, never taken from another account (audited instead)."""
        number = r.owner.document.number
        account = uow.accounts.get(r.account_id, for_update=True)
        holder = uow.relying.account_by_id_number(number)
        if account is None or account.id_number == number:
            return
        ok = account.id_number is None and holder in (None, account.id)
        if ok:
            uow.accounts.save(replace(account, id_number=number))
        uow.audit.append(AuditEvent(
            "account.id_number_verified" if ok else "account.id_number_conflict",
            Outcome.SUCCESS if ok else Outcome.FAILURE, actor=officer, subject=account.id,
            details={"registration": r.id, "id_type": r.owner.document.kind.value}),
            self._clock.now())

    def _decidable(self, uow: UnitOfWork, officer: str, registration_id: str) -> Registration:
        _officer(uow, officer)
        current = _get(uow, registration_id, lock=True)
        if current.account_id == officer:
            raise OwnRegistration()
        current.expect(State.UNDER_REVIEW, Event.APPROVE)
        return current

    def _tell(self, uow: UnitOfWork, r: Registration, title: Text, body: Text) -> None:
        account = uow.accounts.get(r.account_id)
        lang = account.locale if account is not None else "vi"
        self._notifier.post(uow, r.account_id, title, body)
        self._notifier.queue_email(uow, r.contact.email,
                                   EmailContent(title.pick(lang), body.pick(lang)),
                                   account_id=r.account_id, purpose="ONBOARDING")


def _officer(uow: UnitOfWork, officer: str) -> None:
    account = uow.accounts.get(officer)
    if account is None or account.role not in _OFFICERS:
        raise NotAnOfficer()


def _get(uow: UnitOfWork, registration_id: str, *, lock: bool) -> Registration:
    found = uow.onboarding.get(registration_id, for_update=lock)
    if found is None:
        raise RegistrationNotFound()
    return found


