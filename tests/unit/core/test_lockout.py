from datetime import UTC, datetime, timedelta

import pytest

from kyso.lockout import LockoutPolicy, LockState

T0 = datetime(2026, 5, 1, tzinfo=UTC)


def fail_n(policy: LockoutPolicy, state: LockState, n: int, now: datetime) -> LockState:
    for _ in range(n):
        state = policy.fail(state, now)
    return state


def test_locks_after_max_failures_for_base_time() -> None:
    policy = LockoutPolicy(max_failures=5, base_seconds=300)
    state = fail_n(policy, LockState(), 4, T0)
    assert not state.is_locked(T0) and state.failures == 4
    state = policy.fail(state, T0)
    assert state.is_locked(T0) and state.seconds_left(T0) == 300
    assert not state.is_locked(T0 + timedelta(seconds=300))


def test_each_repeat_doubles_up_to_the_cap() -> None:
    policy = LockoutPolicy(max_failures=2, base_seconds=60, max_seconds=200)
    now, state, seen = T0, LockState(), []
    for _ in range(4):
        state = fail_n(policy, state, 2, now)
        seen.append(state.seconds_left(now))
        now = state.locked_until  # type: ignore[assignment]
    assert seen == [60, 120, 200, 200]


def test_success_clears_failures_but_not_lock_history() -> None:
    policy = LockoutPolicy(max_failures=3, base_seconds=10)
    state = fail_n(policy, LockState(), 3, T0)
    later = T0 + timedelta(seconds=11)
    state = policy.succeed(policy.fail(state, later), later)
    assert state.failures == 0 and state.lock_count == 1
    state = fail_n(policy, state, 3, later)
    assert state.seconds_left(later) == 20


def test_lock_history_forgotten_after_quiet_period() -> None:
    policy = LockoutPolicy(max_failures=1, base_seconds=10, forget_after_seconds=100)
    state = policy.fail(LockState(), T0)
    much_later = T0 + timedelta(seconds=200)
    assert policy.fail(state, much_later).seconds_left(much_later) == 10


@pytest.mark.parametrize("kwargs", [{"max_failures": 0}, {"base_seconds": 0},
                                    {"base_seconds": 10, "max_seconds": 5}])
def test_policy_validates(kwargs: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        LockoutPolicy(**kwargs)
