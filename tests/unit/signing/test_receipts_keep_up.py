"""A worker pass keeps making receipts while there are some to make (within its budget), so
a signing load above one batch a pass for one account does not grow a backlog without end;
it stops at the first pass that makes none."""

from __future__ import annotations

import time

import pytest

from kyso.signing.receipts import ReceiptService


class _Passes(ReceiptService):
    """The loop under test, with ``make_due`` answering from a script."""

    def __init__(self, made: list[int], pause: float = 0.0) -> None:  # no dependencies
        self.made, self.pause, self.calls = list(made), pause, 0

    def make_due(self, limit: int = 20, batch_limit: int = 250) -> int:
        self.calls += 1
        time.sleep(self.pause)
        return self.made.pop(0) if self.made else 0


def test_it_makes_batch_after_batch_until_none_is_due() -> None:
    passes = _Passes([250, 250, 3, 0, 99])
    assert passes.keep_up() == 503
    assert passes.calls == 4  # the pass that made none ends it; nothing after


def test_nothing_due_is_one_pass() -> None:
    passes = _Passes([])
    assert passes.keep_up() == 0 and passes.calls == 1


@pytest.mark.parametrize("budget", [0.0, 0.05])
def test_the_budget_bounds_the_pass(budget: float) -> None:
    passes = _Passes([250] * 1000, pause=0.02)
    made = passes.keep_up(budget)
    assert made == 250 * passes.calls  # every batch made is counted
    assert 1 <= passes.calls <= budget / 0.02 + 1  # then the outbox gets its turn
