"""How a customer receives OTPs (SMS or SmartOTP) and the temporary method locks.

The customer switches methods and locks one with the account PIN; the support desk finds a
customer by login name, phone, email or ID number, then locks (suspected impersonation) and
unlocks with a reason. Every change (and every lookup) is audited; changes are notified.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from kyso.accounts.identifiers import normalize_login
from kyso.accounts.model import Account, Role
from kyso.audit.model import AuditEvent
from kyso.clock import Clock
from kyso.errors import InvalidInput, NotFound, PermissionDenied, Text
from kyso.otp import errors
from kyso.otp.factors import FactorRegistry
from kyso.otp.smartotp import Messenger, PinChecker
from kyso.otp.token import Method, MethodLock, MethodState
from kyso.support import DESK
from kyso.uow import UnitOfWork, UnitOfWorkFactory

__all__ = ["MethodService", "Staff"]


@dataclass(frozen=True)
class Staff:
    """Who acts at the support desk: an account id (or ``cli:<user>``) and its role."""

    id: str
    role: Role


class MethodService:
    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, pins: PinChecker,
                 messenger: Messenger, factors: FactorRegistry) -> None:
        self._uow, self._clock, self._pins, self._messenger = uow_factory, clock, pins, messenger
        self._factors = factors

    def state(self, account_id: str) -> MethodState:
        with self._uow() as uow:
            return uow.otp_methods.get(account_id)

    def switch(self, account_id: str, method: Method, pin: str) -> MethodState:
        """Thay đổi phương thức nhận OTP, confirmed with the account PIN."""
        with self._uow() as uow:
            self._pins.verify_pin(uow, account_id, pin)
            state = uow.otp_methods.get(account_id, for_update=True)
            if state.is_locked(method):
                raise errors.MethodLocked(method=self._factors.name(method))
            self._factors.factor(method).ready(uow, account_id)
            state = replace(state, preferred=method)
            uow.otp_methods.save(state)
            self._audit(uow, "otp.method_changed", account_id, account_id, method=method.value)
            name = self._factors.name(method)
            self._messenger.post(uow, account_id,
                                 Text("Thay đổi phương thức nhận OTP", "OTP method changed"),
                                 Text(f"Phương thức nhận OTP của Quý khách là {name}.",
                                      f"Your OTP method is now {name}."))
            uow.commit()
            return state

    def lock_own(self, account_id: str, method: Method, pin: str) -> None:
        """The customer locks a method (lost phone, suspected fraud)."""
        with self._uow() as uow:
            self._pins.verify_pin(uow, account_id, pin)
            self._set_lock(uow, account_id, method,
                           MethodLock(self._clock.now(), "customer", "customer request"))
            uow.commit()

    def support_find(self, staff: Staff, login: str) -> tuple[Account, MethodState]:
        """The customer the support desk asks about, and the state of their OTP methods."""
        self._check_staff(staff)
        with self._uow() as uow:
            account = uow.accounts.find_by_login(normalize_login(login))
            if account is None:
                raise NotFound()
            self._audit(uow, "support.account_viewed", staff.id, account.id)
            uow.commit()
            return account, uow.otp_methods.get(account.id)

    def support_lock(self, staff: Staff, account_id: str, method: Method, reason: str) -> None:
        self._staff_change(staff, account_id, method, reason, lock=True)

    def support_unlock(self, staff: Staff, account_id: str, method: Method, reason: str) -> None:
        self._staff_change(staff, account_id, method, reason, lock=False)

    def _staff_change(self, staff: Staff, account_id: str, method: Method, reason: str, *,
                      lock: bool) -> None:
        self._check_staff(staff)
        reason = reason.strip()
        if not 3 <= len(reason) <= 500:
            raise InvalidInput(Text("lý do dài từ 3 đến 500 ký tự",
                                    "the reason has 3..500 characters"))
        with self._uow() as uow:
            if uow.accounts.get(account_id) is None:
                raise NotFound()
            if lock:
                self._set_lock(uow, account_id, method,
                               MethodLock(self._clock.now(), staff.id, reason))
            else:
                self._unlock(uow, staff, account_id, method, reason)
            uow.commit()

    @staticmethod
    def _check_staff(staff: Staff) -> None:
        if staff.role not in (Role.SUPPORT, Role.ADMIN):
            raise PermissionDenied()

    def _set_lock(self, uow: UnitOfWork, account_id: str, method: Method,
                  lock: MethodLock) -> None:
        state = uow.otp_methods.get(account_id, for_update=True)
        uow.otp_methods.save(state.with_lock(method, lock))
        self._audit(uow, "otp.method_locked", lock.by, account_id, method=method.value,
                    reason=lock.reason)
        name = self._factors.name(method)
        self._messenger.post(uow, account_id,
                             Text(f"{name} đã bị tạm khóa", f"{name} is suspended"),
                             Text(f"Phương thức {name} đã bị tạm khóa. Lý do: {lock.reason}. "
                                  f"Liên hệ {DESK} để mở khóa.",
                                  f"The method {name} is suspended. Reason: {lock.reason}. "
                                  f"Contact {DESK} to have it unlocked."))

    def _unlock(self, uow: UnitOfWork, staff: Staff, account_id: str, method: Method,
                reason: str) -> None:
        state = uow.otp_methods.get(account_id, for_update=True)
        uow.otp_methods.save(state.with_lock(method, None))
        self._factors.factor(method).unlocked(uow, account_id)
        self._audit(uow, "otp.method_unlocked", staff.id, account_id, method=method.value,
                    reason=reason)
        name = self._factors.name(method)
        self._messenger.post(uow, account_id,
                             Text(f"{name} đã được mở khóa", f"{name} is unlocked"),
                             Text(f"Phương thức {name} đã được mở khóa.",
                                  f"The method {name} is unlocked."))

    def _audit(self, uow: UnitOfWork, action: str, actor: str, subject: str,
               **details: str) -> None:
        uow.audit.append(AuditEvent(action, actor=actor, subject=subject, details=details),
                         self._clock.now())
