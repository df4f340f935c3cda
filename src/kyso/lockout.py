"""Attempt limits for anything a person types: a pure policy over a frozen state.

After ``max_failures`` consecutive failures the secret locks for ``base_seconds``; each
further lock doubles the time (up to ``max_seconds``). A success clears the failures but
remembers nothing else; the lock count decays once a lock has been served without a repeat
within ``forget_after_seconds``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

__all__ = ["LockState", "LockoutPolicy"]


@dataclass(frozen=True)
class LockState:
    failures: int = 0
    lock_count: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def seconds_left(self, now: datetime) -> int:
        if not self.is_locked(now):
            return 0
        assert self.locked_until is not None
        return max(1, math.ceil((self.locked_until - now).total_seconds()))


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    base_seconds: int = 300
    max_seconds: int = 24 * 3600
    forget_after_seconds: int = 24 * 3600

    def __post_init__(self) -> None:
        if self.max_failures < 1 or self.base_seconds < 1 or self.max_seconds < self.base_seconds:
            raise ValueError("invalid lockout policy")

    def fail(self, state: LockState, now: datetime) -> LockState:
        """The state after one more failure; may start a lock."""
        state = self._decay(state, now)
        failures = state.failures + 1
        if failures < self.max_failures:
            return replace(state, failures=failures)
        seconds = min(self.base_seconds * 2**state.lock_count, self.max_seconds)
        return LockState(0, state.lock_count + 1, now + timedelta(seconds=seconds))

    def succeed(self, state: LockState, now: datetime) -> LockState:
        state = self._decay(state, now)
        return replace(state, failures=0)

    def _decay(self, state: LockState, now: datetime) -> LockState:
        if state.locked_until is None:
            return state
        if now >= state.locked_until + timedelta(seconds=self.forget_after_seconds):
            return LockState()
        return state
