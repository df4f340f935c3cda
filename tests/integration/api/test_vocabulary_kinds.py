"""Every transaction kind the server registers has its words in the vocabulary (a new kind
without them would reach the customer's screen as a code)."""

from __future__ import annotations

from kyso.bootstrap import Container
from kyso.vocabulary import TRANSACTION_KINDS


def test_every_registered_kind_is_named(container: Container) -> None:
    registered = set(container.transactions._kinds)  # the registry the kinds live in
    assert registered, "the container registers its kinds"
    assert registered - set(TRANSACTION_KINDS) == set()
    for kind in registered:
        assert TRANSACTION_KINDS[kind].vi and TRANSACTION_KINDS[kind].en
