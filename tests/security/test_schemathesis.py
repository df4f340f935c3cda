"""A bounded schemathesis run over the whole API, in process: anonymous and as a customer,
fixed seed, few examples per operation. Every answer must be documented (status and body)
and none may be a 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from tests.conftest import FAST_HASHER
from tests.databases import fresh_database
from tests.integration.api.conftest import login, sign_up

# calls that end the session the run uses
SKIP = r"auth/revoke|auth/logout|/me/sessions|/me/password"
CALLS: list[str] = []  # cases run, by operation (the run must have been real)
CHECKS = [schemathesis.checks.not_a_server_error, status_code_conformance,
          response_schema_conformance]


@pytest.fixture(scope="module")
def kyso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, str]]:
    root: Path = tmp_path_factory.mktemp("schemathesis")
    with fresh_database(root) as db_url:
        config = Settings(home=root / "home", database_url=db_url, pki_ca_key="rsa-2048")
        init_home(config)
        container: Container = bootstrap(config, hasher=FAST_HASHER)
        container.pki.initialize(actor="test")
        app = create_app(container)
        with TestClient(app, raise_server_exceptions=False) as client:
            sign_up(client)
            token = login(client)
        yield app, token
        container.close()


def _run(operation: Any, token: str) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=3, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        CALLS.append(operation.label)
        case.call_and_validate(checks=CHECKS)  # anonymous
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    run()


def test_every_operation_answers_as_documented(kyso: tuple[Any, str]) -> None:
    app, token = kyso
    api = schemathesis.openapi.from_asgi("/openapi.json", app).exclude(path_regex=SKIP)
    failures, tested = [], 0
    for result in api.get_all_operations():
        operation = result.ok()
        tested += 1
        try:
            _run(operation, token)
        except (Exception, BaseExceptionGroup) as exc:  # every operation is tried and reported
            failures.append(f"{operation.label}: {str(exc).splitlines()[0:6]}")
    assert tested >= 80 and len(set(CALLS)) == tested and len(CALLS) >= 2 * tested
    assert failures == [], "\n".join(failures)
