"""``kyso rp`` in process (typer's runner): the human output, the refusals, and rotate and
disable taking effect on the SP769 API."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kyso.bootstrap import bootstrap
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.entrypoints.cli.main import app
from tests.conftest import FAST_HASHER
from tests.integration.sp769.conftest import CERTS


def run(tmp_path: Path, db_url: str, *args: str) -> tuple[int, str, str]:
    env = {"KYSO_HOME": str(tmp_path / "home"), "KYSO_DATABASE_URL": db_url,
           "KYSO_ARGON2_MEMORY_KIB": "1024", "KYSO_ARGON2_TIME_COST": "1", "COLUMNS": "200",
           "NO_COLOR": "1"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_create_prints_the_secrets_once_and_refuses_bad_input(tmp_path: Path,
                                                              db_url: str) -> None:
    code, out, _ = run(tmp_path, db_url, "rp", "create", "Cổng DVC Hà Nội", "--webhook",
                       "https://dvc.hanoi.example.vn/kyso")
    assert code == 0
    assert "sp_id: sp-" in out and "sp_password: " in out and "webhook_secret: " in out
    assert "chỉ hiển thị một lần" in out
    code, out, _ = run(tmp_path, db_url, "rp", "list")
    assert code == 0 and "Cổng DVC Hà Nội" in out and "sp_password" not in out

    code, _, err = run(tmp_path, db_url, "rp", "create", "X", "--webhook", "ftp://x.vn")
    assert code == 1 and "webhook" in err
    code, _, err = run(tmp_path, db_url, "rp", "create", "   ")
    assert code == 1 and "name" in err
    code, _, err = run(tmp_path, db_url, "rp", "disable", "sp-khong-co")
    assert code == 1 and "sp-khong-co" in err
    code, _, err = run(tmp_path, db_url, "rp", "rotate-secret", "sp-khong-co")
    assert code == 1
    code, out, _ = run(tmp_path, db_url, "rp", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["Cổng DVC Hà Nội"]


def test_rotate_and_disable_take_effect_on_the_api(tmp_path: Path, db_url: str) -> None:
    code, out, _ = run(tmp_path, db_url, "rp", "create", "Sàn chứng khoán", "--json")
    rp = json.loads(out)
    assert code == 0 and rp["public_service"] is False and "webhook_secret" not in rp
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    container = bootstrap(settings, hasher=FAST_HASHER)
    probe = {"sp_id": rp["sp_id"], "user_id": "079000000000"}
    try:
        with TestClient(create_app(container), raise_server_exceptions=False) as client:
            def certs(password: str) -> Any:
                return client.post(CERTS, json=probe | {"sp_password": password})

            assert certs(rp["sp_password"]).status_code == 404  # known party, no such user
            code, out, _ = run(tmp_path, db_url, "rp", "rotate-secret", rp["sp_id"], "--json")
            rotated = json.loads(out)
            old = certs(rp["sp_password"])
            assert old.status_code == 401 and old.json()["message"] == "SP_CREDENTIAL_INVALID"
            assert certs(rotated["sp_password"]).status_code == 404
            code, out, _ = run(tmp_path, db_url, "rp", "disable", rp["sp_id"])
            assert code == 0 and "disabled" in out
            assert certs(rotated["sp_password"]).status_code == 401
            code, out, _ = run(tmp_path, db_url, "rp", "list", "--json")
            assert json.loads(out)[0]["status"] == "disabled"
    finally:
        container.close()


def test_worker_once_delivers_the_outbox_webhooks_included(tmp_path: Path,
                                                           db_url: str) -> None:
    code, out, err = run(tmp_path, db_url, "worker", "--once")
    assert code == 0, err
    assert "delivered or retried: 0" in out
    assert "csc clean-up: 0" in out  # nothing past KYSO_CSC_RETENTION_HOURS yet


def test_redirect_uri_registers_a_csc_oauth2_client(tmp_path: Path, db_url: str) -> None:
    code, out, _ = run(tmp_path, db_url, "rp", "create", "Cổng DVC Đà Nẵng", "--json")
    sp_id = json.loads(out)["sp_id"]
    code, out, _ = run(tmp_path, db_url, "rp", "redirect-uri", sp_id,
                       "https://dvc.danang.example.vn/csc/callback")
    assert code == 0 and "registered" in out
    code, _, err = run(tmp_path, db_url, "rp", "redirect-uri", sp_id, "ftp://x.vn/cb")
    assert code == 1 and "redirect" in err.lower()
    code, _, _ = run(tmp_path, db_url, "rp", "redirect-uri", "sp-khong-co", "https://x.vn/cb")
    assert code == 1
    container = bootstrap(Settings(home=tmp_path / "home", database_url=db_url),
                          hasher=FAST_HASHER)
    try:
        with container.uow() as uow:
            party = uow.relying.party_by_sp_id(sp_id)
            assert party is not None
            assert uow.csc.redirect_uris(party.id) == ["https://dvc.danang.example.vn/csc/callback"]
    finally:
        container.close()
