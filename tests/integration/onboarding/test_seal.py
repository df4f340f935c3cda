"""kyso's seal on an accepted contract: when sealing fails the acceptance stands, the
registration shows the seal pending, and ``kyso worker`` seals it later."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.entrypoints.cli.main import _chores
from tests.integration.onboarding.test_flow import BASE, to_review


class DownSealer:
    def seal(self, pdf: bytes) -> bytes:
        raise OSError("the HSM went away")


def test_a_failed_seal_is_visible_and_the_worker_seals_it_later(
        client: TestClient, container: Container, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    seals = container.contract_seals
    sealer = seals._sealer
    monkeypatch.setattr(seals, "_sealer", DownSealer())
    _, headers, _ = to_review(client, container, clock)  # the acceptance stands
    mine = client.get(BASE, headers=headers).json()
    assert (mine["state"], mine["contract_seal"]) == ("under_review", "pending")
    unsealed = client.get(f"{BASE}/contract", headers=headers).content
    assert b"/ByteRange" not in unsealed
    [retry] = [action for name, _, action in _chores(container) if name == "contract seal retry"]
    assert retry() == 0  # not due yet: it waits a little after a failure
    clock.advance(121)
    assert retry() == 0  # still down: it waits longer
    monkeypatch.setattr(seals, "_sealer", sealer)
    assert retry() == 0
    clock.advance(241)
    assert retry() == 1
    assert client.get(BASE, headers=headers).json()["contract_seal"] == "sealed"
    sealed = client.get(f"{BASE}/contract", headers=headers).content
    assert b"/ByteRange" in sealed and sealed.startswith(unsealed[:8])
    assert retry() == 0  # sealed once
    with container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()
                   if r.event.action.startswith("onboarding.seal")]
    assert actions == ["onboarding.seal_failed", "onboarding.seal_failed", "onboarding.sealed"]
