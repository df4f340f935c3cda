"""Both the password and the account PIN lost: an officer-checked identity re-check.

The customer's side needs no login (``docs/ACCOUNTS.md``):

1. :meth:`IdentityRecoveryService.open` for a login: a case, and an SMS code to the
   *registered* phone. The answer is the same for an unknown login, and so is the work and
   what follows: a phantom case (no account) is stored, the code's message is made and
   thrown away, and its codes are refused like wrong ones, with the same attempt counting.
2. :meth:`~IdentityRecoveryService.prove_phone`: the code → a case token (only its SHA-256
   is kept) for the next calls.
3. :meth:`~IdentityRecoveryService.submit_images`: the ID card's front and back and a
   portrait, under eKYC's rules (``onboarding/ekyc.py``: JPEG/PNG by content, 1 MiB,
   300 px a side, three different images; three refused uploads end the case), sealed in
   the onboarding blob store like eKYC's → *under_review*.
4. An officer (``ra_officer``, ``support``, ``admin``; never on their own account) compares
   them with the approved registration's images and card data, and approves — an 8-digit
   one-time code goes by SMS and email — or rejects with a reason the customer reads.
5. :meth:`~IdentityRecoveryService.complete`: the login, the code, a new password and a new
   account PIN. Both locks are cleared and every session ends. SmartOTP and certificates are
   left as they are (the officer proved the person, and the token and keys are not made of
   the lost secrets); the notice tells the customer how to suspend a certificate and
   register SmartOTP again if the phone itself was lost.

Limits: the throttle (scope ``identity_recovery``) counts every opening and every wrong code
by login *and* address (a stranger slows only themselves; a burst on one login warns its
owner); a case lives 10 minutes for the phone, 30 for the images, 7 days for the officer and
24 hours for the approval's code (five wrong tries burn it); an account sends at most three
cases for review in 30 days. Every step is audited (``accounts.recovery_*``) and told to the
owner (in the app and by email; by SMS too when a code or a decision is in it), so a
stranger's attempt is visible.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from kyso.accounts.model import Account, Role
from kyso.accounts.recovery import find_active
from kyso.accounts.recovery_cases import Case, CaseState, RecoveryPolicy
from kyso.accounts.rules import SecretHasher, check_password, check_pin
from kyso.accounts.service import AccountService, recipient
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import (
    Conflict,
    Gone,
    InvalidInput,
    KysoError,
    NotFound,
    PermissionDenied,
    Text,
    TooManyRequests,
)
from kyso.lockout import LockState
from kyso.notify.model import Channel
from kyso.notify.service import Notifier
from kyso.onboarding.ekyc import EkycPolicy, image_problem
from kyso.onboarding.images import sniff
from kyso.onboarding.model import Registration
from kyso.onboarding.states import State
from kyso.otp.errors import InvalidOtp, OtpExpired, ResendTooSoon, SendLimitReached
from kyso.otp.model import Purpose
from kyso.otp.oob import OobService
from kyso.signing.storage import BlobStore
from kyso.support import DESK
from kyso.throttle import Throttle, subject_of_name
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["CaseView", "CaseWrongState", "IdentityRecoveryService", "Opened"]

SCOPE = "identity_recovery"
_STAFF = (Role.RA_OFFICER, Role.SUPPORT, Role.ADMIN)
_IMAGES = ("front", "back", "portrait")
_CODE_DIGITS = 8
_PHANTOMS_KEPT = timedelta(days=1)  # a closed phantom case, then deleted (audit records stay)
_HOTLINE = Text(f"Nếu không phải Quý khách, hãy liên hệ ngay {DESK}.",
                f"If this was not you, contact {DESK} at once.")


class CaseNotFound(NotFound):
    code = "recovery_not_found"
    vi = "Không tìm thấy yêu cầu khôi phục tài khoản."
    en = "No such account-recovery request."


class CaseExpired(Gone):
    code = "recovery_expired"
    vi = "Yêu cầu khôi phục tài khoản đã hết hạn hoặc đã kết thúc. Vui lòng tạo yêu cầu mới."
    en = "The account-recovery request has expired or ended. Please start a new one."


class CaseWrongState(Conflict):
    code = "recovery_wrong_state"
    vi = "Yêu cầu khôi phục tài khoản đang ở trạng thái \u201c{state}\u201d."
    en = "The account-recovery request is in the state \u201c{state}\u201d."


class NothingToCompare(Conflict):
    code = "recovery_no_registration"
    vi = ("Tài khoản chưa có hồ sơ đăng ký đã được duyệt để đối chiếu ảnh giấy tờ; không thể "
          "duyệt yêu cầu khôi phục này.")
    en = ("The account has no approved registration to compare the ID images with; this "
          "recovery request cannot be approved.")


class CasesLimit(TooManyRequests):
    code = "recovery_limit"
    vi = ("Tài khoản đã gửi {limit} yêu cầu khôi phục trong 30 ngày. "
          "Vui lòng liên hệ {desk}.")
    en = ("The account has sent {limit} recovery requests in 30 days. "
          "Please contact {desk}.")


class ImagesRefused(InvalidInput):
    code = "recovery_images_refused"
    vi = "Ảnh giấy tờ không đạt: {reason}. Còn {left} lần thử."
    en = "The ID images were refused: {reason}. {left} attempts left."


class NotStaff(PermissionDenied):
    code = "not_staff"
    vi = "Chỉ cán bộ RA hoặc bộ phận hỗ trợ được xử lý yêu cầu khôi phục tài khoản."
    en = "Only RA officers and the support desk handle account-recovery requests."


class OwnAccount(PermissionDenied):
    code = "own_account"
    vi = "Cán bộ không được tự xử lý yêu cầu khôi phục của chính tài khoản mình."
    en = "An officer may not decide on a recovery request for their own account."


@dataclass(frozen=True)
class Opened:
    case_id: str
    expires_at: datetime


@dataclass(frozen=True)
class CaseView:
    """What an officer sees: the case, the account and its approved registration."""

    case: Case
    account: Account
    registration: Registration | None  # approved or active; None if there is none


class IdentityRecoveryService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, hasher: SecretHasher,
                 accounts: AccountService, oob: OobService, notifier: Notifier,
                 blobs: BlobStore, throttle: Throttle, policy: RecoveryPolicy,
                 ekyc: EkycPolicy) -> None:
        self._uow, self._clock, self._hasher = uow_factory, clock, hasher
        self._accounts, self._oob, self._notifier, self._blobs = accounts, oob, notifier, blobs
        self._throttle, self.policy, self.ekyc = throttle, policy, ekyc
        self._dummy = hasher.hash(secrets.token_hex(8))  # for the work of a refused code

    # -- the customer -------------------------------------------------------------------
    def open(self, login: str, address: str | None) -> Opened:
        """A case and an SMS code to the registered phone; alike for an unknown login."""
        now = self._clock.now()
        with self._uow() as uow:
            account = find_active(uow, login)
            subject = account.id if account else subject_of_name(login.strip().lower())
            self._throttle.check(uow, SCOPE, subject, address)
            verdict = self._throttle.failed(uow, SCOPE, subject, address)  # counts openings
            case = Case(str(uuid.uuid4()), account.id if account else "", CaseState.AWAITING_PHONE,
                        now, now, now + self.policy.lifetime(CaseState.AWAITING_PHONE))
            uow.recoveries.add(case)
            if account is None:
                self._oob.rehearse(Purpose.IDENTITY_RECOVERY, Channel.SMS)
                self._audit(uow, "accounts.recovery_unknown", case, Outcome.INFO)
            else:
                self._send(uow, account, case)
                self._audit(uow, "accounts.recovery_opened", case, Outcome.INFO)
                self._tell(uow, account, Text("Có yêu cầu khôi phục tài khoản của Quý khách",
                                              "A request to recover your account"),
                           Text("Ai đó vừa yêu cầu khôi phục tài khoản (quên cả mật khẩu và mã "
                                "PIN) và một mã đã được gửi tới số điện thoại của Quý khách.",
                                "Someone asked to recover your account (both the password and "
                                "the PIN forgotten) and a code was sent to your phone."),
                           sms=verdict.warn_owner)
            uow.commit()
        return Opened(case.id, case.expires_at)

    def _send(self, uow: UnitOfWork, account: Account, case: Case) -> None:
        try:
            self._oob.send(uow, recipient(account), Purpose.IDENTITY_RECOVERY, Channel.SMS)
        except (ResendTooSoon, SendLimitReached):  # answered alike; the earlier code stands
            self._oob.rehearse(Purpose.IDENTITY_RECOVERY, Channel.SMS)
            self._audit(uow, "accounts.recovery_code_withheld", case, Outcome.INFO)

    def prove_phone(self, case_id: str, code: str, address: str | None) -> str:
        """The SMS code → the case token. An unknown or phantom case is refused like a wrong
        code, five times, then like a burnt one."""
        now = self._clock.now()
        with self._uow() as uow:
            case = self._case(uow, case_id, lock=True)
            if case is None:  # an id nobody was given: refused like a wrong code
                self._oob.refuse(uow, Purpose.IDENTITY_RECOVERY, code)
                uow.commit()
                raise InvalidOtp()
            subject = "case:" + case.id  # alike for a phantom case (no account to name)
            self._throttle.check(uow, SCOPE, subject, address)
            if case.lapsed(now) or case.state is not CaseState.AWAITING_PHONE:
                self._expire_if_lapsed(uow, case)
                uow.commit()
                raise CaseExpired()
            try:
                self._verify_phone(uow, case, code)
            except KysoError:
                self._throttle.failed(uow, SCOPE, subject, address)
                uow.commit()
                raise
            token = secrets.token_urlsafe(32)
            case = case.moved(CaseState.AWAITING_IMAGES, now, self.policy,
                              token_hash=_digest(token))
            uow.recoveries.save(case)
            self._throttle.succeeded(uow, SCOPE, subject, address)
            self._audit(uow, "accounts.recovery_phone_proven", case)
            self._tell(uow, self._accounts.get_in(uow, case.account_id),
                       Text("Số điện thoại đã được xác minh cho yêu cầu khôi phục tài khoản",
                            "Phone verified for the account-recovery request"),
                       Text("Bước tiếp theo: gửi ảnh giấy tờ tùy thân và ảnh chân dung.",
                            "Next: send the ID-card images and a portrait."))
            uow.commit()
        return token

    def _verify_phone(self, uow: UnitOfWork, case: Case, code: str) -> None:
        if case.account_id:
            self._oob.verify(uow, case.account_id, Purpose.IDENTITY_RECOVERY, code)
            return
        # a phantom case: the same HMAC work and audit, the same five tries and lifetime
        attempts = case.code_attempts + 1
        uow.recoveries.save(replace(case, code_attempts=attempts))
        ttl = timedelta(seconds=self._oob.policy.ttl_seconds)
        if case.code_attempts >= self._oob.policy.max_attempts or \
                self._clock.now() >= case.created_at + ttl:
            self._oob.refuse(uow, Purpose.IDENTITY_RECOVERY, code)
            raise OtpExpired()
        self._oob.refuse(uow, Purpose.IDENTITY_RECOVERY, code)
        raise InvalidOtp()

    def status(self, case_id: str, token: str) -> Case:
        with self._uow() as uow:
            case = self._owned(uow, case_id, token)
            if self._expire_if_lapsed(uow, case):
                case = self._get(uow, case.id)
            uow.commit()
        return case

    def submit_images(self, case_id: str, token: str, front: bytes, back: bytes,
                      portrait: bytes) -> Case:
        now = self._clock.now()
        with self._uow() as uow:
            case = self._open_case(uow, case_id, token, CaseState.AWAITING_IMAGES)
            since = now - timedelta(days=30)
            if uow.recoveries.submitted_since(case.account_id, since) >= \
                    self.policy.cases_per_month:
                raise CasesLimit(limit=self.policy.cases_per_month, retry_after=86400)
        files = (front, back, portrait)
        images = [sniff(data, self.ekyc.max_bytes) for data in files]
        problem = image_problem(self.ekyc, images, files)
        # a refused upload keeps no identity images: only a passing one is stored (sealed)
        stored = None if problem else tuple(self._blobs.put(d) for d in files)
        with self._uow() as uow:
            case = self._open_case(uow, case_id, token, CaseState.AWAITING_IMAGES)
            account = self._accounts.get_in(uow, case.account_id)
            if stored is None:
                self._refused(uow, account, case, problem)
                uow.commit()
                left = self.policy.image_attempts - case.image_attempts - 1
                raise ImagesRefused(reason=problem, left=max(left, 0))
            case = case.moved(CaseState.UNDER_REVIEW, now, self.policy, front=stored[0],
                              back=stored[1], portrait=stored[2], submitted_at=now,
                              image_attempts=case.image_attempts + 1)
            uow.recoveries.save(case)
            self._audit(uow, "accounts.recovery_submitted", case)
            self._tell(uow, account, Text("Yêu cầu khôi phục tài khoản đã được gửi tới cán bộ",
                                          "Account-recovery request sent to an officer"),
                       Text("Cán bộ sẽ đối chiếu ảnh giấy tờ với hồ sơ đăng ký của Quý khách; "
                            "kết quả được gửi qua SMS và email.",
                            "An officer will compare the ID images with your registration; "
                            "the result comes by SMS and email."))
            uow.commit()
        return case

    def _refused(self, uow: UnitOfWork, account: Account, case: Case,
                 problem: Text | None) -> None:
        attempts = case.image_attempts + 1
        if attempts >= self.policy.image_attempts:
            case = case.moved(CaseState.FAILED, self._clock.now(), self.policy,
                              image_attempts=attempts)
            self._tell(uow, account, Text("Yêu cầu khôi phục tài khoản không đạt",
                                          "Account-recovery request failed"),
                       Text("Ảnh giấy tờ bị từ chối quá số lần cho phép.",
                            "The ID images were refused too many times."))
        else:
            case = replace(case, image_attempts=attempts, updated_at=self._clock.now())
        uow.recoveries.save(case)
        self._audit(uow, "accounts.recovery_images_refused", case, Outcome.FAILURE,
                    reason=problem.en if problem else "", attempts=attempts)

    def complete(self, login: str, code: str, new_password: str, new_pin: str,
                 address: str | None) -> None:
        """The approval's code sets a new password and a new account PIN; every session
        ends. An unknown login, or one without an approved case, is refused like a wrong
        code, with the same argon2 work."""
        check_pin(new_pin)
        now = self._clock.now()
        with self._uow() as uow:
            account = find_active(uow, login)
            subject = account.id if account else subject_of_name(login.strip().lower())
            self._throttle.check(uow, SCOPE, subject, address)
            case = self._approved(uow, account.id) if account else None
            if account is None or case is None or case.code_hash is None:
                self._hasher.verify(self._dummy, code)
                self._throttle.failed(uow, SCOPE, subject, address)
                uow.audit.append(AuditEvent("accounts.recovery_code_refused", Outcome.FAILURE,
                                            subject=account.id if account else None,
                                            details={"reason": "no_case"}), now)
                uow.commit()
                raise InvalidOtp()
            if not self._hasher.verify(case.code_hash, code.strip()):
                self._wrong_code(uow, account, case)
                self._throttle.failed(uow, SCOPE, subject, address)
                uow.commit()
                raise InvalidOtp()
            # only after the code: a weak password must not tell a stranger that a case exists
            check_password(new_password, personal=(account.username, account.phone[-9:],
                                                   account.email.split("@")[0]))
            account = self._accounts.get_in(uow, account.id)
            uow.accounts.save(replace(account, password_hash=self._hasher.hash(new_password),
                                      pin_hash=self._hasher.hash(new_pin),
                                      password_lock=LockState(), pin_lock=LockState()))
            self._accounts.end_sessions(uow, account.id)
            case = case.moved(CaseState.COMPLETED, now, self.policy, code_hash=None,
                              completed_at=now)
            uow.recoveries.save(case)
            self._throttle.succeeded(uow, SCOPE, subject, address)
            self._audit(uow, "accounts.recovery_completed", case)
            self._tell(uow, account, Text("Mật khẩu và mã PIN tài khoản của Quý khách vừa được "
                                          "đặt lại", "Your password and account PIN were reset"),
                       Text("Mọi phiên đăng nhập cũ đã kết thúc. SmartOTP và chứng thư số không "
                            "thay đổi; nếu Quý khách mất cả điện thoại, hãy tạm dừng chứng thư số "
                            "và đăng ký lại SmartOTP.",
                            "Every earlier session has ended. SmartOTP and the certificates are "
                            "unchanged; if the phone is lost too, suspend the certificate and "
                            "register SmartOTP again."), sms=True)
            uow.commit()

    def _wrong_code(self, uow: UnitOfWork, account: Account, case: Case) -> None:
        attempts = case.code_attempts + 1
        if attempts >= self.policy.code_attempts:
            case = case.moved(CaseState.FAILED, self._clock.now(), self.policy,
                              code_attempts=attempts, code_hash=None)
            self._tell(uow, account, Text("Mã khôi phục tài khoản đã bị hủy",
                                          "The account-recovery code was cancelled"),
                       Text("Mã bị nhập sai quá số lần cho phép; hãy tạo yêu cầu mới.",
                            "The code was entered wrongly too many times; make a new request."),
                       sms=True)
        else:
            case = replace(case, code_attempts=attempts, updated_at=self._clock.now())
        uow.recoveries.save(case)
        self._audit(uow, "accounts.recovery_code_refused", case, Outcome.FAILURE,
                    attempts=attempts)

    # -- the officers -------------------------------------------------------------------
    def queue(self, officer: str, state: CaseState = CaseState.UNDER_REVIEW,
              limit: int = 100) -> list[CaseView]:
        with self._uow(read_only=True) as uow:
            _staff(uow, officer)
        self.expire_lapsed()
        with self._uow(read_only=True) as uow:
            return [self._view(uow, c) for c in uow.recoveries.in_states((state,), limit)
                    if c.account_id]

    def expire_lapsed(self, limit: int = 100) -> int:
        """Close the open cases whose time is up (the worker's chore, and before a
        listing); an approval's code is wiped; phantom cases (unknown logins) closed for a
        day are deleted, so strangers' requests do not pile up. Returns how many closed."""
        with self._uow() as uow:
            lapsed = uow.recoveries.lapsed(self._clock.now(), limit)
            for case in lapsed:
                self._expire_if_lapsed(uow, case)
            uow.recoveries.forget_phantoms(self._clock.now() - _PHANTOMS_KEPT, limit)
            uow.commit()
        return len(lapsed)

    def show(self, officer: str, case_id: str) -> CaseView:
        with self._uow() as uow:
            _staff(uow, officer)
            case = self._staff_case(uow, case_id)
            if self._expire_if_lapsed(uow, case):
                case = self._get(uow, case.id)
            uow.commit()
            return self._view(uow, case)

    def image(self, officer: str, case_id: str, which: str) -> bytes:
        """``front``, ``back``, ``portrait`` of the case, or ``registration_…`` the same of
        the approved registration."""
        view = self.show(officer, case_id)
        source, _, part = which.rpartition("_")
        if part not in _IMAGES or source not in ("", "registration"):
            raise CaseNotFound()
        if source:
            images = view.registration.images if view.registration else None
            found = getattr(images, part) if images else None
        else:
            found = getattr(view.case, part)
        if found is None:
            raise CaseNotFound()
        return self._blobs.get(found)

    def approve(self, officer: str, case_id: str) -> CaseView:
        now = self._clock.now()
        code = f"{secrets.randbelow(10**_CODE_DIGITS):0{_CODE_DIGITS}d}"
        code_hash = self._hasher.hash(code)
        with self._uow() as uow:
            case = self._decidable(uow, officer, case_id)
            if self._view(uow, case).registration is None:  # nothing the images were checked
                raise NothingToCompare()                    # against: only a rejection
            for other in uow.recoveries.for_account(case.account_id):
                if other.id != case.id and other.state.open:
                    uow.recoveries.save(other.moved(CaseState.SUPERSEDED, now, self.policy))
            case = case.moved(CaseState.APPROVED, now, self.policy, officer=officer,
                              decided_at=now, code_hash=code_hash, code_attempts=0)
            uow.recoveries.save(case)
            self._audit(uow, "accounts.recovery_approved", case, actor=officer)
            account = self._accounts.get_in(uow, case.account_id)
            hours = self.policy.code_hours
            approved = Text("Yêu cầu khôi phục tài khoản đã được duyệt",
                            "Account-recovery request approved")
            self._tell(uow, account, approved,
                       Text(f"Mã khôi phục của Quý khách là {code} (hiệu lực {hours} giờ, dùng một "
                            "lần; không chia sẻ với bất kỳ ai). Mở kyso → Quên mật khẩu → Tôi "
                            "cũng quên mã PIN → Tôi đã có mã khôi phục, rồi đặt mật khẩu và mã "
                            "PIN mới.",
                            f"Your recovery code is {code} (valid {hours} hours, once; share it "
                            "with no one). Open kyso → Forgot password → I forgot the PIN too "
                            "→ I have a recovery code, then set a new password and PIN."),
                       sms=True, inbox=False, hotline=False)  # the code: phone and email only
            self._notifier.post(uow, account.id, approved,
                                Text("Mã khôi phục đã được gửi qua SMS và email.",
                                     "The recovery code was sent by SMS and email."))
            uow.commit()
            return self._view(uow, case)

    def reject(self, officer: str, case_id: str, reason: str) -> CaseView:
        reason = " ".join(reason.split())
        if not 3 <= len(reason) <= 500:
            raise InvalidInput(Text("lý do dài từ 3 đến 500 ký tự",
                                    "a reason is 3..500 characters"))
        now = self._clock.now()
        with self._uow() as uow:
            case = self._decidable(uow, officer, case_id)
            case = case.moved(CaseState.REJECTED, now, self.policy, officer=officer,
                              decided_at=now, reason=reason)
            uow.recoveries.save(case)
            self._audit(uow, "accounts.recovery_rejected", case, actor=officer)
            self._tell(uow, self._accounts.get_in(uow, case.account_id),
                       Text("Yêu cầu khôi phục tài khoản bị từ chối",
                            "Account-recovery request rejected"),
                       Text(f"Lý do: {reason}.", f"Reason: {reason}."), sms=True)
            uow.commit()
            return self._view(uow, case)

    # -- helpers ------------------------------------------------------------------------
    def _decidable(self, uow: UnitOfWork, officer: str, case_id: str) -> Case:
        _staff(uow, officer)
        case = self._staff_case(uow, case_id, lock=True)
        if case.account_id == officer:
            uow.audit.append(AuditEvent("accounts.recovery_own_refused", Outcome.FAILURE,
                                        actor=officer, subject=case.account_id,
                                        details={"case": case.id}), self._clock.now())
            uow.commit()
            raise OwnAccount()
        if self._expire_if_lapsed(uow, case):
            uow.commit()
            raise CaseExpired()
        if case.state is not CaseState.UNDER_REVIEW:
            raise CaseWrongState(state=Text(case.state.vi, case.state.en))
        return case

    def _staff_case(self, uow: UnitOfWork, case_id: str, *, lock: bool = False) -> Case:
        case = self._case(uow, case_id, lock=lock)
        if case is None or not case.account_id:  # phantom cases are nobody's business
            raise CaseNotFound()
        return case

    def _view(self, uow: UnitOfWork, case: Case) -> CaseView:
        account = self._accounts.get_in(uow, case.account_id)
        latest = uow.onboarding.latest(case.account_id)
        approved = latest if latest and latest.state in (State.APPROVED, State.ACTIVE) else None
        return CaseView(case, account, approved)

    def _approved(self, uow: UnitOfWork, account_id: str) -> Case | None:
        for case in uow.recoveries.for_account(account_id):
            if case.state is CaseState.APPROVED:
                locked = self._get(uow, case.id, lock=True)  # a racing completion waits here
                if locked.state is not CaseState.APPROVED or self._expire_if_lapsed(uow, locked):
                    return None
                return locked
        return None

    def _open_case(self, uow: UnitOfWork, case_id: str, token: str, state: CaseState) -> Case:
        case = self._owned(uow, case_id, token, lock=True)
        if self._expire_if_lapsed(uow, case):
            uow.commit()
            raise CaseExpired()
        if case.state is not state:
            raise CaseWrongState(state=Text(case.state.vi, case.state.en))
        return case

    def _owned(self, uow: UnitOfWork, case_id: str, token: str, *, lock: bool = False) -> Case:
        case = self._case(uow, case_id, lock=lock)
        if case is None or case.token_hash is None or \
                not hmac.compare_digest(case.token_hash, _digest(token)):
            raise CaseNotFound()
        return case

    def _case(self, uow: UnitOfWork, case_id: str, *, lock: bool = False) -> Case | None:
        try:
            uuid.UUID(case_id)
        except ValueError:
            return None
        return uow.recoveries.get(case_id, for_update=lock)

    def _get(self, uow: UnitOfWork, case_id: str, *, lock: bool = False) -> Case:
        case = uow.recoveries.get(case_id, for_update=lock)
        if case is None:
            raise CaseNotFound()
        return case

    def _expire_if_lapsed(self, uow: UnitOfWork, case: Case) -> bool:
        if not case.lapsed(self._clock.now()):
            return False
        expired = case.moved(CaseState.EXPIRED, self._clock.now(), self.policy, code_hash=None)
        uow.recoveries.save(expired)
        if case.account_id:
            self._audit(uow, "accounts.recovery_expired", expired, Outcome.INFO,
                        was=case.state.value)
            if case.state in (CaseState.UNDER_REVIEW, CaseState.APPROVED):
                self._tell(uow, self._accounts.get_in(uow, case.account_id),
                           Text("Yêu cầu khôi phục tài khoản đã hết hạn",
                                "Account-recovery request expired"),
                           Text("Nếu vẫn cần, hãy tạo yêu cầu mới.",
                                "If you still need it, make a new request."), hotline=False)
        return True

    def _audit(self, uow: UnitOfWork, action: str, case: Case,
               outcome: Outcome = Outcome.SUCCESS, *, actor: str | None = None,
               **details: str | int) -> None:
        uow.audit.append(AuditEvent(action, outcome, actor=actor or case.account_id or None,
                                    subject=case.account_id or None,
                                    details={"case": case.id, "state": case.state.value,
                                             **details}),
                         self._clock.now())

    def _tell(self, uow: UnitOfWork, account: Account, title: Text, text: Text, *,
              sms: bool = False, inbox: bool = True, hotline: bool = True) -> None:
        """The owner told in both languages (inbox), by SMS and email in the account's."""
        at = f"{self._clock.now():%H:%M %d/%m/%Y} (UTC)"
        tail = _HOTLINE if hotline else Text("", "")
        body = Text(f"{title.vi} lúc {at}. {text.vi} {tail.vi}".strip(),
                    f"{title.en} at {at}. {text.en} {tail.en}".strip())
        self._notifier.tell(uow, account, title, body, purpose="ACCOUNT_SECURITY", sms=sms,
                            inbox=inbox)


def _staff(uow: UnitOfWork, account_id: str) -> Account:
    account = uow.accounts.get(account_id)
    if account is None or account.role not in _STAFF:
        raise NotStaff()
    return account


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
