"""``kyso ca issue --signatures``, ``kyso quota …`` in process, and ``GET /api/v1/quota``:
what an operator and a customer see of the ledger."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from kyso.bootstrap import Container
from kyso.entrypoints.cli.main import app
from kyso.pki.service import IssueRequest
from kyso.signing.model import credential_id
from tests.integration.api.conftest import auth, client, login, sign_up
from tests.quota import give_signatures

__all__ = ["client"]  # the HTTP client fixture, shared with the API tests


def run(container: Container, *args: str) -> tuple[int, str, str]:
    s = container.settings
    env = {"KYSO_HOME": str(s.home), "KYSO_DATABASE_URL": s.sqlalchemy_url,
           "KYSO_ARGON2_MEMORY_KIB": "1024", "KYSO_ARGON2_TIME_COST": "1", "COLUMNS": "200",
           "NO_COLOR": "1", "KYSO_PKI_SUBSCRIBER_KEY": "ec-p256"}
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


def test_operators_give_and_read_signatures(client: TestClient, container: Container) -> None:
    container.pki.initialize(actor="test")
    account = sign_up(client)["id"]
    code, out, err = run(container, "ca", "issue", "--account", "khach1", "--province",
                         "Hà Nội", "--locality", "Cầu Giấy", "--signatures", "3")
    assert code == 0, err
    [cert] = container.pki.certificates(account=account)
    cred = credential_id(cert.issuer, cert.serial)
    assert f"{cred}: lượt ký khả dụng / available 3" in out
    for _ in range(2):  # the same reference credits once
        code, out, _ = run(container, "quota", "credit", cred, "2", "--reference", "hd-01",
                           "--json")
        assert code == 0 and json.loads(out)["available"] == 5
    code, out, _ = run(container, "quota", "unlimited", cred, "--days", "30")
    assert code == 0 and "unlimited until" in out
    code, out, _ = run(container, "quota", "history", cred)
    assert code == 0 and out.count("credit") == 2 and "unlimited" in out
    assert run(container, "quota", "check", cred)[0] == 0
    assert run(container, "quota", "sweep")[1].strip() == "released: 0"
    code, _, err = run(container, "quota", "balance", "kyso-issuing-ca-ffff")
    assert code == 1 and "kyso-issuing-ca-ffff" in err
    code, _, err = run(container, "quota", "credit", cred, "0")
    assert code == 2
    code, _, err = run(container, "ca", "issue", "--account", "khach1", "--province", "Huế",
                       "--locality", "Phú Hội", "--signatures", "1", "--unlimited")
    assert code == 2 and len(container.pki.certificates(account=account)) == 1
    with container.uow() as uow:
        actions = [r.event.action for r in uow.audit.records()]
    assert actions.count("quota.credited") == 2 and actions.count("quota.unlimited") == 1


def test_customers_read_their_own_balances(client: TestClient, container: Container) -> None:
    container.pki.initialize(actor="test")
    mine, theirs = sign_up(client, 1), sign_up(client, 2)
    issued = [container.pki.issue(IssueRequest(account=a["id"], province="Hà Nội",
                                                locality="Ba Đình"), actor="test")
              for a in (mine, theirs)]
    own, other = (give_signatures(container, c, 7) for c in issued)
    token = login(client, "khach1")
    r = client.get("/api/v1/quota", headers=auth(token))
    assert r.status_code == 200
    assert r.json() == [{"credential_id": own, "available": 7, "reserved": 0, "consumed": 0,
                         "credited": 7, "unlimited_until": None, "unlimited": False}]
    assert client.get(f"/api/v1/quota/{own}", headers=auth(token)).json()["available"] == 7
    r = client.get(f"/api/v1/quota/{other}", headers=auth(token) | {"Accept-Language": "en"})
    assert r.status_code == 404 and r.json()["error"] == "not_found"
    assert client.get("/api/v1/quota").status_code == 401
