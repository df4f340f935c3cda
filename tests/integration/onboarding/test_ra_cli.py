"""``kyso ra list|show|approve`` on the same database as the API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.entrypoints.cli.main import app
from tests.integration.api.conftest import PASSWORD, auth, login
from tests.integration.onboarding.test_flow import BASE, officer, to_review


def test_an_officer_approves_from_the_command_line(
        client: TestClient, container: Container, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    _, headers, _ = to_review(client, container, clock)
    officer(container, client)
    s = container.settings
    monkeypatch.setenv("KYSO_HOME", str(s.home))
    monkeypatch.setenv("KYSO_DATABASE_URL", s.database_url or "")
    runner = CliRunner()
    listed = runner.invoke(app, ["ra", "list", "--officer", "thamdinh"], input=PASSWORD + "\n")
    assert listed.exit_code == 0, listed.output
    [case] = container.review.queue(_officer_id(container))
    assert case.id[:8] in listed.output
    shown = runner.invoke(app, ["ra", "show", case.id, "--officer", "thamdinh"],
                          input=PASSWORD + "\n")
    assert "Nguyễn Văn An" in shown.output and "CCCD:001091000001" in shown.output
    own = runner.invoke(app, ["ra", "approve", case.id, "--officer", "khach1"],
                        input=PASSWORD + "\n")
    assert own.exit_code != 0  # a customer is no officer
    done = runner.invoke(app, ["ra", "approve", case.id, "--officer", "thamdinh"],
                         input=PASSWORD + "\n")
    assert done.exit_code == 0, done.output
    assert client.get(BASE, headers=headers).json()["state"] == "approved"
    assert auth(login(client))  # the customer still logs in


def _officer_id(container: Container) -> str:
    with container.uow() as uow:
        account = uow.accounts.find_by_login("thamdinh")
    assert account is not None
    return account.id
