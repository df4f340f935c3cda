"""``kyso audit verify`` on a real database."""

from __future__ import annotations

from typing import Any

import typer
from sqlalchemy import Engine
from typer.testing import CliRunner

from kyso.entrypoints.cli.audit import register
from tests.integration.audit.test_audit_repository import append, tamper


def run_verify(uow_factory: Any) -> tuple[int, str]:
    parent = typer.Typer()
    register(parent, lambda: uow_factory)
    result = CliRunner().invoke(parent, ["audit", "verify"], env={"COLUMNS": "200"})
    return result.exit_code, result.output


def test_an_intact_trail_exits_zero_with_the_count_and_head(
    engine: Engine, uow_factory: Any
) -> None:
    records = append(engine, 3)
    code, output = run_verify(uow_factory)
    assert code == 0
    assert f"Audit trail intact: 3 records, head {records[-1].hash[:16]}" in output


def test_an_empty_trail_is_intact(uow_factory: Any) -> None:
    code, output = run_verify(uow_factory)
    assert code == 0 and "intact: 0 records" in output


def test_a_broken_trail_exits_one_naming_the_record(engine: Engine, uow_factory: Any) -> None:
    append(engine, 5)
    tamper(engine, "DELETE FROM audit_records WHERE seq = 2")
    code, output = run_verify(uow_factory)
    assert code == 1
    assert "broken at record 2: removed" in output
