"""Throttling of guessed secrets (passwords, relying parties' sp_passwords) that an attacker
cannot turn against the owner.

A failure is counted in three buckets, each a row keyed by a hash (no address is stored in
the clear):

* **subject + address** — one account (or party) from one client address. After
  ``free_failures`` the next attempt from that address waits ``base_seconds``, doubling with
  each further failure up to ``max_seconds`` (429 with ``Retry-After``). The owner, from
  another address, is not slowed by an attacker.
* **address** — every subject from one address (password spraying): the same back-off after
  ``address_free_failures``.
* **subject** — every address on one subject. It never blocks; reaching ``warn_after`` tells
  the caller to warn the owner (once per burst).

A success clears the subject + address bucket. A bucket is forgotten ``forget_after_seconds``
after its last failure. The check runs before the secret is verified, the same way whether
the subject exists or not (an unknown login is throttled under a hash of the name given), so
neither the answer nor its timing tells whether a login exists. Hard locks are not made here:
only OTP and the account PIN lock (their standards and the bank's rules ask for it).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from kyso.clock import Clock
from kyso.errors import TooManyRequests

__all__ = ["Attempts", "Throttle", "ThrottlePolicy", "ThrottleRepository", "Verdict",
           "subject_of_name"]

ANY = "*"


@dataclass(frozen=True)
class Attempts:
    key: str  # SHA-256 of scope, subject and address
    failures: int = 0
    last_failure_at: datetime | None = None
    blocked_until: datetime | None = None

    def seconds_left(self, now: datetime) -> int:
        if self.blocked_until is None or now >= self.blocked_until:
            return 0
        return max(1, math.ceil((self.blocked_until - now).total_seconds()))


@dataclass(frozen=True)
class ThrottlePolicy:
    free_failures: int = 3
    address_free_failures: int = 30
    base_seconds: int = 2
    max_seconds: int = 900
    warn_after: int = 5
    forget_after_seconds: int = 3600

    def __post_init__(self) -> None:
        if min(self.free_failures, self.address_free_failures, self.warn_after) < 1 or \
                not 1 <= self.base_seconds <= self.max_seconds:
            raise ValueError("invalid throttle policy")

    def fail(self, attempts: Attempts, now: datetime, free: int) -> Attempts:
        failures = self.fresh(attempts, now).failures + 1
        blocked = None
        if failures > free:
            seconds = min(self.base_seconds * 2 ** min(failures - free - 1, 30), self.max_seconds)
            blocked = now + timedelta(seconds=seconds)
        return replace(attempts, failures=failures, last_failure_at=now, blocked_until=blocked)

    def fresh(self, attempts: Attempts, now: datetime) -> Attempts:
        """The bucket, or an empty one once its last failure is old enough."""
        last = attempts.last_failure_at
        if last is not None and now >= last + timedelta(seconds=self.forget_after_seconds):
            return Attempts(attempts.key)
        return attempts


class ThrottleRepository(Protocol):
    def get(self, key: str, *, for_update: bool = False) -> Attempts | None: ...

    def save(self, attempts: Attempts) -> None: ...

    def delete(self, key: str) -> None: ...


class _HasThrottles(Protocol):
    throttles: ThrottleRepository


@dataclass(frozen=True)
class Verdict:
    """What a recorded failure means for the caller."""

    warn_owner: bool  # this failure made a burst on the subject: tell its owner
    failures: int  # on the subject, from every address


class Throttle:
    def __init__(self, policy: ThrottlePolicy, clock: Clock) -> None:
        self.policy, self._clock = policy, clock

    def check(self, uow: _HasThrottles, scope: str, subject: str, address: str | None) -> None:
        """TooManyRequests (429, Retry-After) while this address must wait."""
        now, wait = self._clock.now(), 0
        for key in (_key(scope, subject, address), _key(scope, ANY, address)):
            found = uow.throttles.get(key)
            if found is not None:
                wait = max(wait, self.policy.fresh(found, now).seconds_left(now))
        if wait:
            raise TooManyRequests(retry_after=wait)

    def pending(self, uow: _HasThrottles, scope: str, subject: str,
                address: str | None) -> bool:
        """Whether this subject and address have failures a success must clear."""
        return uow.throttles.get(_key(scope, subject, address)) is not None

    def failed(self, uow: _HasThrottles, scope: str, subject: str,
               address: str | None) -> Verdict:
        now, policy = self._clock.now(), self.policy
        buckets = ((_key(scope, subject, address), policy.free_failures),
                   (_key(scope, ANY, address), policy.address_free_failures),
                   (_key(scope, subject, ANY), 10**9))  # counts, never blocks
        saved = [self._fail(uow, key, free, now) for key, free in buckets]
        total = saved[-1].failures
        return Verdict(warn_owner=total == policy.warn_after, failures=total)

    def succeeded(self, uow: _HasThrottles, scope: str, subject: str,
                  address: str | None) -> None:
        uow.throttles.delete(_key(scope, subject, address))

    def _fail(self, uow: _HasThrottles, key: str, free: int, now: datetime) -> Attempts:
        attempts = uow.throttles.get(key, for_update=True) or Attempts(key)
        attempts = self.policy.fail(attempts, now, free)
        uow.throttles.save(attempts)
        return attempts


def subject_of_name(name: str) -> str:
    """The subject for a login name that names no account (so it is throttled the same)."""
    return "name:" + hashlib.sha256(name.encode()).hexdigest()


def _key(scope: str, subject: str, address: str | None) -> str:
    raw = "\x1f".join((scope, subject, address or "-"))
    return hashlib.sha256(raw.encode()).hexdigest()
