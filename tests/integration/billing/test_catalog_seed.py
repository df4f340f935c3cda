"""Nodes that start together on one empty database both try to load the built-in catalogue;
the one whose insert loses (a duplicate product, on PostgreSQL) finds it loaded and starts."""

from __future__ import annotations

import pytest

from kyso.billing.catalog import default_products
from kyso.billing.products import CatalogService
from kyso.bootstrap import Container


def test_the_node_that_loses_the_race_starts_anyway(container: Container,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    node_a = CatalogService(container.uow, container.clock)
    node_b = CatalogService(container.uow, container.clock)

    def b_first(*, actor: str) -> None:  # B committed while A was inserting: A's insert fails
        node_b.seed(actor="node-b")
        raise RuntimeError("duplicate key value violates unique constraint")

    monkeypatch.setattr(node_a, "load", b_first)
    assert node_a.seed(actor="node-a") is False
    assert len(node_a.products(active_only=False)) == len(default_products())


def test_a_failure_with_no_catalogue_is_not_hidden(container: Container,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    node = CatalogService(container.uow, container.clock)

    def broken(*, actor: str) -> None:
        raise RuntimeError("the database refused it")

    monkeypatch.setattr(node, "load", broken)
    with pytest.raises(RuntimeError, match="refused"):
        node.seed(actor="node-a")
