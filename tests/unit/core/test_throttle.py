"""The throttle's policy: free failures, then a doubling wait up to a ceiling; forgotten."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from kyso.throttle import Attempts, ThrottlePolicy

T0 = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_free_failures_then_a_doubling_wait_up_to_the_ceiling() -> None:
    policy = ThrottlePolicy(free_failures=3, base_seconds=2, max_seconds=10)
    attempts, waits = Attempts("k"), []
    for _ in range(7):
        attempts = policy.fail(attempts, T0, free=3)
        waits.append(attempts.seconds_left(T0))
    assert waits == [0, 0, 0, 2, 4, 8, 10]


def test_a_bucket_is_forgotten_after_its_last_failure() -> None:
    policy = ThrottlePolicy(forget_after_seconds=60)
    attempts = Attempts("k", failures=9, last_failure_at=T0,
                        blocked_until=T0 + timedelta(seconds=900))
    assert policy.fresh(attempts, T0 + timedelta(seconds=59)) == attempts
    assert policy.fresh(attempts, T0 + timedelta(seconds=60)) == Attempts("k")
    assert policy.fail(attempts, T0 + timedelta(seconds=61), free=3).failures == 1


def test_a_huge_failure_count_does_not_overflow() -> None:
    policy = ThrottlePolicy(max_seconds=900)
    attempts = policy.fail(Attempts("k", failures=10**6, last_failure_at=T0), T0, free=3)
    assert attempts.seconds_left(T0) == 900


def test_the_policy_is_validated() -> None:
    with pytest.raises(ValueError):
        ThrottlePolicy(base_seconds=10, max_seconds=5)
    with pytest.raises(ValueError):
        ThrottlePolicy(free_failures=0)
