"""Account use cases: sign-up, login, sessions, password and account-PIN changes.

The account PIN goes through :meth:`AccountService._check_secret`, which applies the lockout
policy (a hard lock: the bank's rule for a PIN) and audits each failure and lock. A password
is throttled instead (:mod:`kyso.throttle`): failures delay the address that made them, never
lock the owner out, and a burst of them warns the owner. Failures are committed before the
error is raised, so a rolled-back request never forgets a wrong attempt.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import NoReturn

from kyso.accounts.errors import (
    AccountPending,
    AccountUnavailable,
    IdentifierTaken,
    InvalidCredentials,
    InvalidSession,
    SecretLocked,
    SessionExpired,
    WrongPin,
)
from kyso.accounts.identifiers import normalize_email, normalize_login, normalize_phone
from kyso.accounts.model import Account, AccountStatus, Role, Session
from kyso.accounts.rules import SecretHasher, check_password, check_pin
from kyso.audit.model import AuditEvent, Outcome
from kyso.clock import Clock
from kyso.errors import InvalidInput, KysoError, NotFound, PermissionDenied, Text, TooManyRequests
from kyso.lockout import LockoutPolicy, LockState
from kyso.notify.model import Channel
from kyso.notify.ports import EmailContent
from kyso.notify.service import Notifier
from kyso.otp.model import Purpose, SentCode
from kyso.otp.oob import OobService, Recipient
from kyso.throttle import Throttle, subject_of_name
from kyso.uow import UnitOfWork, UnitOfWorkFactory, failures_kept

__all__ = ["AccountService", "NewAccount", "SessionPolicy", "recipient", "session_token_hash"]

_SECRETS = {
    "password": ("Mật khẩu", "The password"),
    "pin": ("Mã PIN tài khoản", "The account PIN"),
}
_SCOPE = "password"  # the throttle's scope
_IN_SESSION = "session"  # the "address" of a password typed inside a session


@dataclass(frozen=True)
class NewAccount:
    username: str
    password: str
    pin: str
    full_name: str
    phone: str
    email: str
    id_number: str | None = None
    locale: str = "vi"
    role: Role = Role.CUSTOMER


@dataclass(frozen=True)
class SessionPolicy:
    ttl_seconds: int = 12 * 3600
    idle_seconds: int = 30 * 60
    touch_every_seconds: int = 60


def recipient(account: Account) -> Recipient:
    return Recipient(account.id, account.phone, account.email, account.locale)


def _with_lock(account: Account, kind: str, state: LockState) -> Account:
    if kind == "pin":
        return replace(account, pin_lock=state)
    return replace(account, password_lock=state)


def session_token_hash(token: str) -> str:
    """The hash a session's bearer token is kept and looked up by."""
    return hashlib.sha256(token.encode()).hexdigest()


_token_hash = session_token_hash


class AccountService:
    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        clock: Clock,
        hasher: SecretHasher,
        lockout: LockoutPolicy,
        sessions: SessionPolicy,
        oob: OobService,
        *,
        throttle: Throttle,
        notifier: Notifier,
    ) -> None:
        self._throttle, self._notifier = throttle, notifier
        self._uow = uow_factory
        self._clock = clock
        self._hasher = hasher
        self._lockout = lockout
        self._sessions = sessions
        self._oob = oob
        self._dummy_hash = hasher.hash(secrets.token_hex(8))

    # -- sign-up and staff ------------------------------------------------------------
    def sign_up(self, new: NewAccount, *, actor: str | None = None) -> Account:
        account = self.build(new)
        with self._uow() as uow:
            taken = uow.accounts.taken(
                account.username, account.phone, account.email, account.id_number
            )
            if taken:
                raise IdentifierTaken(fields=", ".join(taken))
            uow.accounts.add(account)
            self._audit(uow, "account.created", account.id, actor=actor or account.id,
                        role=account.role.value)
            uow.commit()
        return account

    def build(self, new: NewAccount) -> Account:
        """A new account from what the person typed (rules checked, secrets hashed)."""
        username = normalize_login(new.username)
        phone, email = normalize_phone(new.phone), normalize_email(new.email)
        check_password(new.password, personal=(username, phone[-9:], email.split("@")[0]))
        check_pin(new.pin)
        return Account(
            id=str(uuid.uuid4()), username=username, full_name=new.full_name.strip(),
            phone=phone, email=email, password_hash=self._hasher.hash(new.password),
            pin_hash=self._hasher.hash(new.pin), created_at=self._clock.now(), role=new.role,
            id_number=new.id_number.strip() if new.id_number else None, locale=new.locale,
        )

    def set_role(self, actor_id: str, account_id: str, role: Role) -> Account:
        with self._uow() as uow:
            actor = self._get(uow, actor_id)
            if actor.role is not Role.ADMIN:
                raise PermissionDenied()
            account = self._get(uow, account_id, for_update=True)
            uow.accounts.save(replace(account, role=role))
            self._audit(uow, "account.role_changed", account_id, actor=actor_id,
                        old=account.role.value, new=role.value)
            uow.commit()
            return replace(account, role=role)

    def set_status(self, actor_id: str, account_id: str, status: AccountStatus) -> None:
        with self._uow() as uow:
            account = self._get(uow, account_id, for_update=True)
            uow.accounts.save(replace(account, status=status))
            self._audit(uow, "account.status_changed", account_id, actor=actor_id,
                        status=status.value)
            uow.commit()

    # -- login and sessions -----------------------------------------------------------
    def login(self, login: str, password: str, *, user_agent: str | None = None,
              ip: str | None = None) -> tuple[Session, str]:
        """Check the password and open a session; return it with its bearer token.

        Throttled by account and client address before the password is verified, the same
        way for a login that names no account."""
        with self._uow() as uow:
            name = normalize_login(login)
            account = uow.accounts.find_by_login(name, for_update=True)
            subject = account.id if account is not None else subject_of_name(name)
            self._throttled(uow, subject, ip)
            if account is None:
                self._hasher.verify(self._dummy_hash, password)  # same time as a real check
                self._password_failed(uow, None, subject, ip)
            self._usable(account)
            if not self._hasher.verify(account.password_hash, password):
                self._password_failed(uow, account, subject, ip)
            self._throttle.succeeded(uow, _SCOPE, subject, ip)
            session, token = self._open_session(uow, account, user_agent, ip)
            uow.commit()
            return session, token

    def _throttled(self, uow: UnitOfWork, subject: str, ip: str | None) -> None:
        try:
            self._throttle.check(uow, _SCOPE, subject, ip)
        except TooManyRequests as exc:
            known = not subject.startswith("name:")
            self._audit(uow, "auth.login_throttled", subject if known else None,
                        outcome=Outcome.FAILURE, ip=ip, retry_after=exc.retry_after)
            uow.commit()
            raise

    def _password_failed(self, uow: UnitOfWork, account: Account | None, subject: str,
                         ip: str | None) -> NoReturn:
        verdict = self._throttle.failed(uow, _SCOPE, subject, ip)
        self._audit(uow, "auth.login_failed", account.id if account else None,
                    outcome=Outcome.FAILURE, ip=ip, failures=verdict.failures,
                    reason=None if account else "unknown_login")
        if account is not None and verdict.warn_owner:
            self._warn_owner(uow, account, verdict.failures)
        uow.commit()
        raise InvalidCredentials()

    def _warn_owner(self, uow: UnitOfWork, account: Account, failures: int) -> None:
        title = Text("Cảnh báo đăng nhập sai nhiều lần", "Several failed logins")
        body = Text(f"Có {failures} lần đăng nhập sai mật khẩu vào tài khoản của Quý khách "
                    "trong thời gian ngắn. Nếu không phải Quý khách, hãy đổi mật khẩu; tài "
                    "khoản của Quý khách không bị khóa.",
                    f"There were {failures} logins with a wrong password to your account in a "
                    "short time. If this was not you, change your password; your account is "
                    "not locked.")
        lang = account.locale
        self._notifier.post(uow, account.id, title, body)
        self._notifier.queue_email(uow, account.email,
                                   EmailContent(f"kyso: {title.pick(lang)}", body.pick(lang)),
                                   account_id=account.id, purpose="security_warning")
        self._audit(uow, "auth.owner_warned", account.id, failures=failures)

    def _open_session(self, uow: UnitOfWork, account: Account, user_agent: str | None,
                      ip: str | None) -> tuple[Session, str]:
        now = self._clock.now()
        token = secrets.token_urlsafe(32)
        session = Session(
            id=str(uuid.uuid4()), account_id=account.id, token_hash=_token_hash(token),
            created_at=now, expires_at=now + timedelta(seconds=self._sessions.ttl_seconds),
            last_seen_at=now, user_agent=(user_agent or "")[:200] or None, ip=ip,
        )
        uow.sessions.add(session)
        self._audit(uow, "auth.login", account.id, session=session.id, ip=ip)
        return session, token

    def authenticate(self, token: str) -> tuple[Account, Session]:
        """The account and session behind a bearer token, or :class:`InvalidSession`."""
        now = self._clock.now()
        with self._uow(read_only=True) as uow:  # every request passes here: no write lock
            account, session = self._live(uow, token, now)
        if self._touch_due(session, now):
            session = self._touch(session.id, now)
        return account, session

    def authenticate_in(self, uow: UnitOfWork, token: str) -> tuple[Account, Session]:
        """:meth:`authenticate` in the caller's unit of work, for a route that writes anyway
        (``POST /smartotp/verify``): one connection, not two. The session is read before
        the unit of work writes (a bad token takes no write lock); a touch that is due
        begins the writing (``uow.begin_writing()``) and is written only if the session is
        still unrevoked (a revocation committed since the read wins: :class:`InvalidSession`)."""
        now = self._clock.now()
        account, session = self._live(uow, token, now)
        if self._touch_due(session, now):
            uow.begin_writing()
            if not uow.sessions.touch(session.id, now):
                raise InvalidSession()
            session = replace(session, last_seen_at=now)
        return account, session

    def _live(self, uow: UnitOfWork, token: str, now: datetime) -> tuple[Account, Session]:
        found = uow.sessions.with_account(_token_hash(token))  # one statement
        if found is None or found[0].revoked_at is not None:
            raise InvalidSession()
        session, account = found
        if not session.is_live(now, self._sessions.idle_seconds):
            raise SessionExpired()
        if account.status is not AccountStatus.ACTIVE:
            raise InvalidSession()
        return account, session

    def _touch_due(self, session: Session, now: datetime) -> bool:
        return (now - session.last_seen_at).total_seconds() >= self._sessions.touch_every_seconds

    def _touch(self, session_id: str, now: datetime) -> Session:
        """Record activity (at most every ``touch_every_seconds``), re-read under the write
        lock so that a revocation made meanwhile is neither undone nor ignored."""
        with self._uow() as uow:
            session = uow.sessions.get(session_id)
            if session is None or not session.is_live(now, self._sessions.idle_seconds):
                raise InvalidSession()
            session = replace(session, last_seen_at=now)
            uow.sessions.save(session)
            uow.commit()
            return session

    def logout(self, session: Session) -> None:
        self.revoke_session(session.account_id, session.id)

    def sessions(self, account_id: str) -> list[Session]:
        now = self._clock.now()
        with self._uow(read_only=True) as uow:
            return [s for s in uow.sessions.for_account(account_id)
                    if s.is_live(now, self._sessions.idle_seconds)]

    def revoke_session(self, account_id: str, session_id: str) -> None:
        with self._uow() as uow:
            session = uow.sessions.get(session_id)
            if session is None or session.account_id != account_id:
                raise NotFound()
            if session.revoked_at is None:
                uow.sessions.save(replace(session, revoked_at=self._clock.now()))
                self._audit(uow, "auth.session_revoked", account_id, session=session_id)
                uow.commit()

    # -- secrets ----------------------------------------------------------------------
    def change_password(self, account_id: str, session_id: str, old: str, new: str) -> None:
        """Change the password; every other session of the account is revoked."""
        with self._uow() as uow:
            account = self._get(uow, account_id, for_update=True)
            self._throttled(uow, account.id, _IN_SESSION)
            if not self._hasher.verify(account.password_hash, old):
                self._password_failed(uow, account, account.id, _IN_SESSION)
            check_password(new, personal=(account.username, account.phone[-9:],
                                          account.email.split("@")[0]))
            uow.accounts.save(replace(self._get(uow, account_id),
                                      password_hash=self._hasher.hash(new)))
            self._revoke_others(uow, account_id, keep=session_id)
            self._audit(uow, "account.password_changed", account_id)
            uow.commit()

    def send_code(self, account_id: str, purpose: Purpose,
                  channel: Channel = Channel.SMS, *, pin: str | None = None) -> SentCode:
        """Send an out-of-band code for ``purpose`` to the account's phone or email.

        With ``pin``, the account PIN is checked first (a failure counts and nothing is
        sent): a flow that needs both says a wrong PIN before the SMS is spent."""
        with self._uow() as uow:
            account = self._get(uow, account_id, for_update=pin is not None)
            self._usable(account)
            if pin is not None:
                self._check_secret(uow, account, "pin", pin, WrongPin())
            sent = self._oob.send(uow, recipient(account), purpose, channel)
            uow.commit()
            return sent

    def change_pin(self, account_id: str, old_pin: str, new_pin: str, otp: str) -> None:
        """Change the account PIN: the old PIN and an SMS code for ``PIN_CHANGE``."""
        check_pin(new_pin)
        with self._uow() as uow:
            account = self._get(uow, account_id, for_update=True)
            self._check_secret(uow, account, "pin", old_pin, WrongPin())
            with failures_kept(uow):
                self._oob.verify(uow, account_id, Purpose.PIN_CHANGE, otp)
            uow.accounts.save(replace(self._get(uow, account_id),
                                      pin_hash=self._hasher.hash(new_pin)))
            self._audit(uow, "account.pin_changed", account_id)
            uow.commit()

    def verify_pin(self, uow: UnitOfWork, account_id: str, pin: str) -> Account:
        """For other areas: check the account PIN inside their transaction.

        A failure is committed (with the rest of that transaction) before it is raised."""
        account = self._get(uow, account_id, for_update=True)
        self._usable(account)
        self._check_secret(uow, account, "pin", pin, WrongPin())
        return self._get(uow, account_id)

    def verify_password(self, uow: UnitOfWork, account_id: str, password: str) -> Account:
        """As :meth:`verify_pin`, for the password (the same lockout)."""
        account = self._get(uow, account_id, for_update=True)
        self._usable(account)
        self._check_secret(uow, account, "password", password, InvalidCredentials())
        return self._get(uow, account_id)

    def end_sessions(self, uow: UnitOfWork, account_id: str, keep: str | None = None) -> None:
        """Revoke every session of the account but ``keep``, in the caller's transaction."""
        self._revoke_others(uow, account_id, keep)

    def resume(self, uow: UnitOfWork, account_id: str, *, user_agent: str | None = None,
               ip: str | None = None) -> tuple[Session, str]:
        """A new session for an account that proved itself otherwise (a CSC refresh token,
        ``kyso.relying.csc_oauth``), in the caller's transaction; the account must be usable."""
        account = self._get(uow, account_id)
        self._usable(account)
        return self._open_session(uow, account, user_agent, ip)

    def get(self, account_id: str) -> Account:
        with self._uow() as uow:
            return self._get(uow, account_id)

    def set_locale(self, account_id: str, locale: str) -> Account:
        """The language of the account's emails and SMS (``vi`` or ``en``), as chosen in the
        app; a change is audited."""
        if locale not in ("vi", "en"):
            raise InvalidInput(Text("ngôn ngữ là vi hoặc en", "the language is vi or en"))
        with self._uow() as uow:
            account = self._get(uow, account_id, for_update=True)
            if account.locale != locale:
                account = replace(account, locale=locale)
                uow.accounts.save(account)
                self._audit(uow, "account.locale_changed", account_id, locale=locale)
                uow.commit()
            return account

    def get_in(self, uow: UnitOfWork, account_id: str) -> Account:
        """The account, read in the caller's transaction (locked for update)."""
        return self._get(uow, account_id, for_update=True)

    # -- helpers ----------------------------------------------------------------------
    def _check_secret(self, uow: UnitOfWork, account: Account, kind: str, given: str,
                      error: KysoError) -> None:
        now = self._clock.now()
        state: LockState = getattr(account, f"{kind}_lock")
        what_vi, what_en = _SECRETS[kind]
        if state.is_locked(now):
            self._audit(uow, f"auth.{kind}_locked_attempt", account.id, outcome=Outcome.FAILURE)
            uow.commit()
            raise SecretLocked(what_vi=what_vi, what_en=what_en,
                               retry_after=state.seconds_left(now))
        encoded = getattr(account, f"{kind}_hash")
        if self._hasher.verify(encoded, given):
            if state.failures:
                uow.accounts.save(_with_lock(account, kind, self._lockout.succeed(state, now)))
            return
        new_state = self._lockout.fail(state, now)
        uow.accounts.save(_with_lock(account, kind, new_state))
        self._audit(uow, f"auth.{kind}_failed", account.id, outcome=Outcome.FAILURE,
                    failures=state.failures + 1)
        if new_state.is_locked(now):
            self._audit(uow, f"auth.{kind}_locked", account.id, outcome=Outcome.FAILURE,
                        seconds=new_state.seconds_left(now))
        uow.commit()
        error.params.setdefault("attempts_remaining", 0 if new_state.is_locked(now)
                                else self._lockout.max_failures - new_state.failures)
        raise error

    @staticmethod
    def _usable(account: Account) -> None:
        if account.status is AccountStatus.PENDING:
            raise AccountPending()
        if account.status is not AccountStatus.ACTIVE:
            raise AccountUnavailable()

    @staticmethod
    def _get(uow: UnitOfWork, account_id: str, *, for_update: bool = False) -> Account:
        account = uow.accounts.get(account_id, for_update=for_update)
        if account is None:
            raise NotFound()
        return account

    def _revoke_others(self, uow: UnitOfWork, account_id: str, keep: str | None) -> None:
        now = self._clock.now()
        for session in uow.sessions.for_account(account_id):
            if session.id != keep and session.revoked_at is None:
                uow.sessions.save(replace(session, revoked_at=now))

    def _audit(self, uow: UnitOfWork, action: str, subject: str | None, *,
               actor: str | None = None, outcome: Outcome = Outcome.SUCCESS,
               **details: str | int | None) -> None:
        event = AuditEvent(action, outcome, actor=actor or subject, subject=subject,
                           details=details)
        uow.audit.append(event, self._clock.now())
