"""``kyso backup`` / ``kyso restore``: a deployment with data (an account, its SmartOTP token,
a certificate, signatures, documents in the files store, an audit checkpoint) is backed up
while it serves, restored into a fresh KYSO_HOME and an empty database, served again, its
audit chain verified to the same head, and the old customer signs with the old token; a
corrupted part, a wrong passphrase or key, an altered manifest and a non-empty target are
refused with nothing written. SQLite by default, PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from kyso.adapters.db.dump import database_is_empty
from kyso.adapters.db.engine import make_engine
from kyso.bootstrap import Container, bootstrap
from kyso.clock import ManualClock
from kyso.config import Settings
from kyso.entrypoints.api.app import create_app
from kyso.entrypoints.cli.main import app as cli
from tests.conftest import FAST_HASHER
from tests.databases import PG_URL
from tests.integration.api.conftest import PASSWORD
from tests.integration.documents.conftest import Customer, World, open_world
from tests.integration.documents.pdfs import sample_pdf

PASSPHRASE = "ngựa-ô-qua-cầu-2026"
runner = CliRunner()


@dataclass
class Source:
    world: World
    customer: Customer
    signed: bytes
    document_id: str
    env: dict[str, str]
    backup: Path
    root: Path


def _env(settings: Settings) -> dict[str, str]:
    env = {"KYSO_HOME": str(settings.home), "KYSO_PUBLIC_BASE_URL": settings.public_base_url,
           "KYSO_PKI_CA_KEY": "rsa-2048", "KYSO_BLOB_STORE": settings.blob_store,
           "KYSO_DOCUMENT_MAX_BYTES": str(settings.document_max_bytes),
           "KYSO_DATABASE_URL": settings.sqlalchemy_url, "BK_PASS": PASSPHRASE}
    return env


def kyso(env: dict[str, str], *args: str) -> Any:
    clean = {k: v for k, v in env.items() if v != ""}
    unset = {k: None for k, v in env.items() if v == ""}  # CliRunner: None unsets
    return runner.invoke(cli, list(args), env=clean | unset, catch_exceptions=False)


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Source]:
    root = tmp_path_factory.mktemp("backup")
    with ExitStack() as stack:
        world = open_world(root / "a", stack, blob_store="files")
        customer = world.customer()
        uploaded = customer.upload(sample_pdf("Hợp đồng trước sao lưu"), level="B-B")
        assert uploaded.status_code == 201, uploaded.text
        assert customer.confirm(uploaded.json()["transaction"]).status_code == 200
        document_id = uploaded.json()["id"]
        signed = customer.get(f"/documents/{document_id}/download").content
        world.container.audit_anchor.checkpoint()  # the checkpoint file is a part too
        env = _env(world.container.settings)
        done = kyso(env, "backup", str(root / "bk"), "--passphrase-env", "BK_PASS")
        assert done.exit_code == 0, done.output
        yield Source(world, customer, signed, document_id, env, root / "bk", root)


@contextmanager
def empty_target(root: Path, source: Source) -> Iterator[dict[str, str]]:
    """The environment of a fresh KYSO_HOME and an empty database (PostgreSQL: a new
    database with a schema of the source's name)."""
    env = source.env | {"KYSO_HOME": str(root / "home"), "KYSO_DATABASE_URL": ""}
    if not PG_URL:
        yield env
        return
    schema = json.loads((source.backup / "manifest.json").read_text())["database"]["schema"]
    name = f"kyso_restore_{uuid.uuid4().hex[:10]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    created = make_engine(url)
    with created.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    created.dispose()
    try:
        yield env | {"KYSO_DATABASE_URL": f"{url}?options=-csearch_path%3D{schema}"}
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def _settings(env: dict[str, str]) -> Settings:
    return Settings(home=Path(env["KYSO_HOME"]), database_url=env["KYSO_DATABASE_URL"] or None,
                    public_base_url=env["KYSO_PUBLIC_BASE_URL"], pki_ca_key="rsa-2048",
                    blob_store="files", document_max_bytes=int(env["KYSO_DOCUMENT_MAX_BYTES"]))


def _manifest(path: Path) -> dict[str, Any]:
    return dict(json.loads((path / "manifest.json").read_text()))


def _untouched(env: dict[str, str]) -> None:
    home = Path(env["KYSO_HOME"])
    assert not home.exists() or not any(home.iterdir())
    assert database_is_empty(_settings(env).sqlalchemy_url)
    assert not [p for p in home.parent.iterdir() if ".restoring-" in p.name]


def test_the_backup_names_every_part_and_holds_no_plain_master_key(source: Source) -> None:
    manifest = _manifest(source.backup)
    assert set(manifest["parts"]) == {"database", "files", "checkpoints", "keys"}
    with source.world.container.uow() as uow:
        records = list(uow.audit.records(after_seq=manifest["audit_head"]["seq"] - 1))
    assert records[0].hash == manifest["audit_head"]["hash"]  # the head at backup time
    assert [r.event.action for r in records[1:]] == ["backup.made"]  # then the backup, audited
    key = source.world.container.settings.master_key_path.read_bytes()
    for part in source.backup.iterdir():
        data = part.read_bytes()
        assert key not in data and base64.b64encode(key) not in data and \
            key.hex().encode() not in data, part.name
    assert manifest["keys"]["method"] == "passphrase" and manifest["keys"]["kdf"] == "argon2id"


def test_restore_serves_verifies_the_chain_and_signs_with_the_old_token(
        source: Source, tmp_path: Path) -> None:
    manifest = _manifest(source.backup)
    with empty_target(tmp_path, source) as env:
        done = kyso(env, "restore", str(source.backup), "--passphrase-env", "BK_PASS")
        assert done.exit_code == 0, done.output
        seq, digest = manifest["audit_head"]["seq"], manifest["audit_head"]["hash"]
        assert f"seq {seq} {digest[:16]}" in " ".join(done.output.split())
        verified = kyso(env, "audit", "verify")
        assert verified.exit_code == 0 and "checkpoints agreeing: 1" in verified.output
        clock = ManualClock(source.world.clock.now() + timedelta(minutes=1))
        restored = bootstrap(_settings(env), clock=clock, hasher=FAST_HASHER)
        try:
            _serve_and_sign(restored, source, (seq, digest))
        finally:
            restored.close()


def _serve_and_sign(restored: Container, source: Source, head: tuple[int, str]) -> None:
    home = restored.settings.home
    assert (home / "master.key").stat().st_mode & 0o077 == 0
    with restored.uow() as uow:
        [at_backup, *after] = list(uow.audit.records(after_seq=head[0] - 1))
    assert at_backup.hash == head[1] and [r.event.action for r in after] == ["backup.restored"]
    customer = source.customer
    with TestClient(create_app(restored), raise_server_exceptions=False) as client:
        old = client.get("/api/v1/me", headers=customer.headers)  # the session survived
        assert old.status_code == 200, old.text
        login = client.post("/api/v1/auth/login", json={"login": "doc0", "password": PASSWORD})
        assert login.status_code == 200, login.text
        got = client.get(f"/api/v1/documents/{source.document_id}/download",
                         headers=customer.headers)
        assert got.status_code == 200 and got.content == source.signed  # files restored
        pdf = sample_pdf("Hợp đồng sau khôi phục")
        up = client.post("/api/v1/documents", content=pdf, params={"level": "B-B"},
                         headers=customer.headers | {"Content-Type": "application/pdf"})
        assert up.status_code == 201, up.text
        assert customer.device is not None
        otp = customer.device.answer(up.json()["transaction"])  # the old SmartOTP token
        confirmed = client.post(f"/api/v1/transactions/{up.json()['transaction']['id']}"
                                "/confirm", json={"otp": otp}, headers=customer.headers)
        assert confirmed.status_code == 200, confirmed.text
        signed = client.get(f"/api/v1/documents/{up.json()['id']}/download",
                            headers=customer.headers)
        report = client.post("/api/v1/validate", content=signed.content,
                             headers=customer.headers | {"Content-Type": "application/pdf"})
        assert report.status_code == 200 and report.json()["valid"], report.text
    restored.audit_anchor.verify()  # the chain still verifies after the new signature


def _copy(source: Source, tmp_path: Path) -> Path:
    copy = tmp_path / "bk-copy"
    shutil.copytree(source.backup, copy)
    return copy


def test_a_corrupted_part_is_refused_and_nothing_is_written(source: Source,
                                                            tmp_path: Path) -> None:
    copy = _copy(source, tmp_path)
    part = copy / _manifest(copy)["parts"]["database"]["file"]
    data = bytearray(part.read_bytes())
    data[len(data) // 2] ^= 0x01
    part.write_bytes(bytes(data))
    with empty_target(tmp_path, source) as env:
        done = kyso(env, "restore", str(copy), "--passphrase-env", "BK_PASS")
        assert done.exit_code != 0 and "corrupted" in done.output, done.output
        _untouched(env)


def test_a_wrong_passphrase_is_refused(source: Source, tmp_path: Path) -> None:
    with empty_target(tmp_path, source) as env:
        done = kyso(env | {"BK_PASS": "mật-khẩu-sai-2026"}, "restore", str(source.backup),
                    "--passphrase-env", "BK_PASS")
        assert done.exit_code != 0 and "does not open" in done.output, done.output
        _untouched(env)


def test_an_altered_manifest_is_refused(source: Source, tmp_path: Path) -> None:
    copy = _copy(source, tmp_path)
    manifest = _manifest(copy)
    manifest["audit_head"]["seq"] -= 1  # as if records had been cut off the chain
    (copy / "manifest.json").write_text(json.dumps(manifest))
    with empty_target(tmp_path, source) as env:
        done = kyso(env, "restore", str(copy), "--passphrase-env", "BK_PASS")
        assert done.exit_code != 0 and "altered" in done.output, done.output
        _untouched(env)


def test_a_non_empty_target_is_refused(source: Source, tmp_path: Path) -> None:
    with empty_target(tmp_path, source) as env:
        (tmp_path / "home").mkdir()
        (tmp_path / "home" / "notes.txt").write_text("đừng xóa")
        done = kyso(env, "restore", str(source.backup), "--passphrase-env", "BK_PASS")
        assert done.exit_code != 0 and "not empty" in " ".join(done.output.split())
        assert (tmp_path / "home" / "notes.txt").read_text() == "đừng xóa"
        assert database_is_empty(_settings(env).sqlalchemy_url)
    busy = source.env  # the source itself: a database that holds data
    done = kyso(busy | {"KYSO_HOME": str(tmp_path / "other")}, "restore", str(source.backup),
                "--passphrase-env", "BK_PASS")
    assert done.exit_code != 0 and "database is not empty" in " ".join(done.output.split())
    assert not (tmp_path / "other").exists()


def test_keys_sealed_for_an_x25519_recipient(source: Source, tmp_path: Path) -> None:
    ours, theirs = tmp_path / "backup.key", tmp_path / "other.key"
    for key in (ours, theirs):
        subprocess.run(["openssl", "genpkey", "-algorithm", "X25519", "-out", str(key)],
                       check=True, capture_output=True)
    subprocess.run(["openssl", "pkey", "-in", str(ours), "-pubout", "-out",
                    str(tmp_path / "backup.pub")], check=True, capture_output=True)
    done = kyso(source.env, "backup", str(tmp_path / "bk-x"), "--recipient",
                str(tmp_path / "backup.pub"))
    assert done.exit_code == 0, done.output
    assert _manifest(tmp_path / "bk-x")["keys"]["method"] == "x25519"
    with empty_target(tmp_path, source) as env:
        wrong = kyso(env, "restore", str(tmp_path / "bk-x"), "--identity", str(theirs))
        assert wrong.exit_code != 0 and "does not open" in " ".join(wrong.output.split())
        _untouched(env)
        right = kyso(env, "restore", str(tmp_path / "bk-x"), "--identity", str(ours))
        assert right.exit_code == 0, right.output
        restored = bootstrap(_settings(env), hasher=FAST_HASHER)
        try:
            head, checked = restored.audit_anchor.verify()
        finally:
            restored.close()
        assert head[0] == _manifest(tmp_path / "bk-x")["audit_head"]["seq"] + 1 and checked


def test_a_chain_that_does_not_reach_the_head_undoes_the_restore(source: Source,
                                                                 tmp_path: Path) -> None:
    """The database is restored (PostgreSQL: committed) before the chain is checked; a check
    that fails removes it again, and the staged home."""
    from kyso.adapters.backup import restore_backup
    from kyso.backup.errors import RestoreFailed
    from kyso.backup.sealing import open_sealed

    def opener(header: dict[str, Any], sealed: bytes, aad: bytes) -> bytes:
        return open_sealed(header, sealed, aad, passphrase=PASSPHRASE.encode())

    with empty_target(tmp_path, source) as env:
        settings = _settings(env)
        with pytest.raises(RestoreFailed, match="the manifest says seq"):
            restore_backup(settings, source.backup, opener, lambda _: (1, "0" * 64))
        _untouched(env)
