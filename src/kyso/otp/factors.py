"""One place for the factors: SMS, SmartOTP (and, next, passkeys) behind one protocol.

A factor opens a transaction the way it needs (SmartOTP binds an OCRA question to the
details, SMS sends a code for the kind's purpose), checks a transaction's code, checks a bare
code for a purpose (CSC ``credentials/authorize``) and says whether it can be chosen. The
rest of kyso asks the :class:`FactorRegistry` and never tests which method it is.

A successful check gives a :class:`FactorProof`. Only the registry can make one (the seal is
private to this module), so code that needs "the customer has just proven a factor" — above
all ``SigningService.grant`` — takes a proof instead of trusting its caller. A new factor is
one module implementing :class:`Factor` plus its adapter; it never makes proofs itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from kyso.clock import Clock
from kyso.otp.model import Purpose
from kyso.otp.token import Challenge, Method
from kyso.uow import UnitOfWork

__all__ = ["Factor", "FactorProof", "FactorRegistry"]

_SEAL = object()


class Factor(Protocol):
    method: Method
    name: str  # what a customer reads ("SMS OTP", "SmartOTP")
    offline: bool  # codes are made on the customer's device (nothing to send on request)

    def ready(self, uow: UnitOfWork, account_id: str) -> None:
        """Raise if the account cannot use this factor now (e.g. no active token)."""

    def open(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose) -> Challenge:
        """The challenge as this factor needs it (a question bound to it, a code sent)."""

    def check_transaction(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose,
                          code: str) -> None:
        """Raise unless ``code`` confirms exactly this challenge."""

    def check_code(self, uow: UnitOfWork, account_id: str, purpose: Purpose, code: str) -> None:
        """Raise unless ``code`` is a good one-time code of this factor for ``purpose``."""

    def unlocked(self, uow: UnitOfWork, account_id: str) -> None:
        """The support desk lifted the method's lock: clear this factor's own lock too."""


@dataclass(frozen=True)
class FactorProof:
    """The account proved ``method`` for ``purpose`` at ``at`` (``challenge``: the
    transaction it confirmed, if any). Made only by :class:`FactorRegistry`."""

    account_id: str
    method: Method
    purpose: Purpose
    at: datetime
    challenge: str | None = None
    _seal: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._seal is not _SEAL:
            raise TypeError("a FactorProof comes only from a successful factor check")

    def confirms(self, challenge: Challenge) -> bool:
        """Whether this proof is the confirmation of ``challenge`` (same id and account)."""
        return self.challenge == challenge.id and self.account_id == challenge.account_id


class FactorRegistry:
    def __init__(self, clock: Clock, factors: Iterable[Factor]) -> None:
        self._clock = clock
        self._factors = {f.method: f for f in factors}
        if set(self._factors) != set(Method):
            raise ValueError("every OTP method needs exactly one factor")

    def factor(self, method: Method) -> Factor:
        return self._factors[method]

    def name(self, method: Method) -> str:
        return self._factors[method].name

    def open(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose) -> Challenge:
        return self._factors[challenge.method].open(uow, challenge, purpose)

    def check_transaction(self, uow: UnitOfWork, challenge: Challenge, purpose: Purpose,
                          code: str) -> FactorProof:
        self._factors[challenge.method].check_transaction(uow, challenge, purpose, code)
        return FactorProof(challenge.account_id, challenge.method, purpose, self._clock.now(),
                           challenge.id, _SEAL)

    def check_code(self, uow: UnitOfWork, account_id: str, purpose: Purpose,
                   code: str) -> FactorProof:
        """A bare code, by the account's chosen method (which must not be locked)."""
        state = uow.otp_methods.get(account_id)
        state.ensure_unlocked(state.preferred)
        self._factors[state.preferred].check_code(uow, account_id, purpose, code)
        return FactorProof(account_id, state.preferred, purpose, self._clock.now(), None, _SEAL)
