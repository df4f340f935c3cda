"""Master-key rotation without downtime (issue 11 item 2; docs/KEYS.md, adapters/db/rotation.py).

A node keeps sending, checking and signing with OTPs while another process rotates the master
key: nothing fails; afterwards the old key opens nothing, a node starts with the new key
only, the audit chain still verifies; an interrupted rotation resumes. SQLite, or PostgreSQL
with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import hashlib
import importlib
import os
import pkgutil
import re
import threading
import time
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.serialization import load_der_public_key
from sqlalchemy import LargeBinary, select

from kyso.accounts.service import NewAccount
from kyso.adapters.db import tables
from kyso.adapters.db.key_check import MasterKeyMismatch, staged_key
from kyso.adapters.db.rotation import (
    SEALED_COLUMNS,
    SEALED_FILE_STORES,
    MasterKeyRotation,
    RotationRefused,
    sealed_values,
)
from kyso.adapters.db.tables.base import metadata
from kyso.adapters.db.tables.keys import key_checks
from kyso.bootstrap import Container, bootstrap, init_home
from kyso.config import Settings
from kyso.errors import NotFound
from kyso.keys.model import HashAlgorithm, SignatureScheme
from kyso.otp.model import Purpose
from kyso.pki.service import IssueRequest
from kyso.secrets import Envelope, MasterKey, MasterKeyRetired, SealedValueError
from tests.conftest import FAST_HASHER
from tests.integration.api.conftest import last_code
from tests.security.homes import kyso

PIN = "Matkhau2026!"
# binary columns that hold no secret (public keys, certificates, signatures)
PLAIN_BINARY = {"pki_keys.public_key", "pki_authorities.certificate",
                "pki_certificates.certificate", "pki_crls.der",
                "sp769_files.signature"}


def _settings(tmp_path: Path, db_url: str, key: Path) -> Settings:
    return Settings(home=tmp_path / "home", database_url=db_url, master_key_file=key,
                    keyring_refresh_seconds=0, otp_resend_seconds=0,
                    otp_max_sends_per_hour=10_000, pki_ca_key="ec-p256",
                    pki_responder_key="ec-p256", pki_tsa_key="ec-p256",
                    pki_subscriber_key="ec-p256")


def _key_file(path: Path) -> MasterKey:
    material = os.urandom(32)
    path.write_bytes(material)
    path.chmod(0o600)
    return MasterKey(material)


def _world(settings: Settings) -> tuple[Container, str, str]:
    """A node with a CA, a customer with a credential and quota, and a sealed blob."""
    init_home(settings)
    node = bootstrap(settings, hasher=FAST_HASHER)
    node.pki.initialize(actor="test")
    account = node.accounts.sign_up(NewAccount(
        "khach", PIN, "246813", "Nguyễn Văn An", "0900000001", "an@example.vn",
        id_number="001091000001"))
    node.pki.issue(IssueRequest(account=account.id, province="Hà Nội", locality="Ba Đình"),
                   actor="test")
    [credential] = node.signing.credentials(account.id)
    with node.uow() as uow:
        node.quota.credit(uow, credential.id, 100_000, source="test")
        uow.commit()
    node.onboarding_blobs.put(b"anh CCCD mat truoc")
    return node, account.id, credential.id


def _delivered_code(node: Container, account_id: str, purpose: str) -> str:
    """The code, once the outbox has delivered it: while the rotation's batch holds the
    message's row, the worker's claim (SKIP LOCKED on PostgreSQL) leaves it for its next
    pass, as a real worker's loop would."""
    for _ in range(300):
        try:
            return last_code(node, account_id, purpose)
        except NotFound:  # not delivered yet: its body is not readable
            time.sleep(0.01)
    raise AssertionError("the code was never delivered")


def _sign_once(node: Container, account_id: str, credential_id: str) -> None:
    """An SMS OTP sent (sealed), read (opened), checked (derived key); a SAD granted on it;
    a hash signed with the customer's sealed key and the signature verified."""
    node.accounts.send_code(account_id, Purpose.SIGN)
    code = _delivered_code(node, account_id, Purpose.SIGN.value)
    with node.uow() as uow:
        proof = node.factors.check_code(uow, account_id, Purpose.SIGN, code)
        uow.commit()
    credential = node.signing.credential(account_id, credential_id)
    digest = hashlib.sha256(os.urandom(8)).digest()
    with node.uow() as uow:
        grant = node.signing.grant(uow, credential, [digest], HashAlgorithm.SHA256, proof)
        uow.commit()
    [signature] = node.signing.sign_digests(account_id, credential_id, grant.sad, [digest],
                                            SignatureScheme.ECDSA_SHA256)
    public = load_der_public_key(credential.key.public_key_der)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    public.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def restart_and_sign(settings: Settings, account_id: str, credential_id: str) -> None:
    """A node (re)started with ``settings`` signs, and the audit trail verifies."""
    init_home(settings)
    node = bootstrap(settings, hasher=FAST_HASHER)
    try:
        _sign_once(node, account_id, credential_id)
        node.audit_anchor.verify()
    finally:
        node.close()


def _rotation(node: Container, grace_seconds: float = 0) -> MasterKeyRotation:
    return MasterKeyRotation(node.engine, node.keys, node.settings.home, node.audit_key,
                             grace_seconds=grace_seconds)


def _sealed_everywhere(node: Container) -> list[tuple[bytes, str]]:
    found = []
    with node.engine.connect() as conn:
        for location in SEALED_COLUMNS:
            found += [(value, location.purpose(key))
                      for key, value in sealed_values(conn, location)]
    for folder in SEALED_FILE_STORES:
        for path in (node.settings.home / folder).glob("*/*"):
            found.append((path.read_bytes(), f"blob:{path.name}"))
    return found


def _opens_nothing(old: MasterKey, node: Container) -> None:
    sealed = _sealed_everywhere(node)
    assert len(sealed) >= 5  # CA keys, customer key, outbox bodies, a blob
    for value, purpose in sealed:
        with pytest.raises(SealedValueError):
            Envelope(old).open(value, purpose)
        Envelope(node.keys.keyring).open(value, purpose)
    with node.engine.connect() as conn:
        for row in conn.execute(select(key_checks)):
            for purpose in ("master-key-check", "derivation-root", "master-key-next"):
                with pytest.raises(SealedValueError):
                    Envelope(old).open(row.sealed, purpose)


def test_a_rotation_under_signing_load_fails_nothing(tmp_path: Path, db_url: str) -> None:
    old = _key_file(tmp_path / "old.key")
    new = _key_file(tmp_path / "new.key")
    settings = _settings(tmp_path, db_url, tmp_path / "old.key")
    # the serving node looks for a rotation every 0.05 s; the rotation waits 1 s (twenty
    # periods: KYSO_KEYRING_REFRESH_SECONDS and its grace, scaled down) before retiring
    serving_settings = settings.model_copy(update={"keyring_refresh_seconds": 0.05})
    node, account_id, credential_id = _world(serving_settings)
    chain_key = node.audit_key
    errors: list[BaseException] = []
    rounds = [0]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set() and rounds[0] < 5000:
            try:
                _sign_once(node, account_id, credential_id)
            except BaseException as exc:  # reported below, with the others
                errors.append(exc)
                return
            rounds[0] += 1

    serving = threading.Thread(target=serve)
    serving.start()
    admin = bootstrap(settings, hasher=FAST_HASHER)  # the operator's `kyso keys rotate-master`
    try:
        while rounds[0] < 1 and serving.is_alive():
            serving.join(0.05)
        walk = _rotation(admin, grace_seconds=1.0).run(new, batch_size=2)
        done = rounds[0]
        while rounds[0] < done + 3 and serving.is_alive():
            serving.join(0.05)
    finally:
        stop.set()
        serving.join()
        admin.close()
    assert errors == [] and rounds[0] >= done + 3
    assert walk.rewrapped >= 5 and walk.damaged == []
    assert node.keys.keyring.current.key_id == new.key_id  # the serving node follows
    _opens_nothing(old, node)
    node.close()

    with pytest.raises(MasterKeyMismatch, match="does not open"):  # the old key: refused
        init_home(settings)
    restarted = _settings(tmp_path, db_url, tmp_path / "new.key")
    init_home(restarted)
    again = bootstrap(restarted, hasher=FAST_HASHER)
    try:
        assert again.audit_key.material == chain_key.material  # derived keys did not move
        _sign_once(again, account_id, credential_id)
        (seq, _), _ = again.audit_anchor.verify()
        with again.uow(read_only=True) as uow:
            actions = [r.event.action for r in uow.audit.records()]
        assert seq == len(actions)
        assert actions.count("keys.rotation.started") == 1
        assert actions.count("keys.rotation.finished") == 1
        assert actions.count("keys.rotation.rewrapped") == 2 * (
            len(SEALED_COLUMNS) + len(SEALED_FILE_STORES))  # the walk and the last walk
    finally:
        again.close()


def test_an_interrupted_rotation_resumes(tmp_path: Path, db_url: str) -> None:
    old = _key_file(tmp_path / "old.key")
    new = _key_file(tmp_path / "new.key")
    other = _key_file(tmp_path / "other.key")
    settings = _settings(tmp_path, db_url, tmp_path / "old.key")
    node, account_id, credential_id = _world(settings)
    _sign_once(node, account_id, credential_id)
    node.close()

    first = bootstrap(settings, hasher=FAST_HASHER)
    rotation = _rotation(first)
    assert rotation.begin(new)

    def crash(location: str, count: int) -> None:
        raise KeyboardInterrupt(location)

    with pytest.raises(KeyboardInterrupt):
        rotation.rewrap(new, batch_size=1, progress=crash)
    first.close()

    during = _settings(tmp_path, db_url, tmp_path / "new.key")
    with pytest.raises(MasterKeyMismatch, match="rotation is under way"):
        init_home(during)  # the new key alone cannot open what is not moved yet
    second = bootstrap(settings, hasher=FAST_HASHER)  # a new process, the current key
    try:
        status = _rotation(second).status()
        assert status.next == new.key_id.hex() and sum(status.pending.values()) >= 4
        with pytest.raises(RotationRefused, match="another new key"):
            _rotation(second).begin(other)
        _sign_once(second, account_id, credential_id)  # serving goes on meanwhile
        assert not _rotation(second).begin(new)  # resumed, not restarted
        _rotation(second).run(new)
        assert sum(_rotation(second).status().pending.values()) == 0
        _opens_nothing(old, second)
    finally:
        second.close()
    restart_and_sign(during, account_id, credential_id)


def test_every_sealed_column_and_store_is_rewrapped() -> None:
    """A new binary column must be either in the rotation's registry or known as plain; a
    new sealed blob store must be in SEALED_FILE_STORES."""
    for module in pkgutil.iter_modules(tables.__path__):  # every table of the schema
        importlib.import_module(f"{tables.__name__}.{module.name}")
    covered = {location.name for location in SEALED_COLUMNS} | {"key_checks.sealed"}
    binary = {f"{table.name}.{column.name}" for table in metadata.tables.values()
              for column in table.columns
              if isinstance(column.type, LargeBinary) or "sealed" in column.name}
    assert binary - PLAIN_BINARY == covered
    source = (Path(__file__).parents[2] / "src/kyso/bootstrap.py").read_text()
    stores = set(re.findall(r'SealedBlobStore\(self\.settings\.home / "([a-z_-]+)"', source))
    assert stores == set(SEALED_FILE_STORES)


def test_the_cli_rotates_and_the_old_key_is_refused(tmp_path: Path, db_url: str) -> None:
    home, database = tmp_path / "home", (None if db_url.startswith("sqlite") else db_url)
    old, new = tmp_path / "old.key", tmp_path / "new.key"
    assert kyso(home, database, "init", KYSO_MASTER_KEY_FILE=str(old)).returncode == 0
    made = kyso(home, database, "keys", "new-master", str(new))
    assert made.returncode == 0 and new.stat().st_mode & 0o777 == 0o600, made.stderr
    again = kyso(home, database, "keys", "new-master", str(new))
    assert again.returncode == 1 and "already exists" in again.stderr
    missing = kyso(home, database, "keys", "rotate-master", KYSO_MASTER_KEY_FILE=str(old))
    assert missing.returncode == 2 and "--new-key-file" in missing.stderr
    rotated = kyso(home, database, "keys", "rotate-master", "--new-key-file", str(new),
                   KYSO_MASTER_KEY_FILE=str(old), KYSO_KEYRING_REFRESH_SECONDS="0")
    assert rotated.returncode == 0, rotated.stdout + rotated.stderr
    assert "rotation finished" in rotated.stdout
    refused = kyso(home, database, "audit", "verify", KYSO_MASTER_KEY_FILE=str(old))
    assert refused.returncode == 2 and "does not open" in " ".join(refused.stderr.split())
    verified = kyso(home, database, "audit", "verify", KYSO_MASTER_KEY_FILE=str(new))
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stderr
    status = kyso(home, database, "keys", "status", KYSO_MASTER_KEY_FILE=str(new))
    assert status.returncode == 0 and ": 0 value(s) to rewrap" in status.stdout


def test_an_idle_node_follows_and_a_stale_one_refuses(tmp_path: Path, db_url: str) -> None:
    """A node that seals nothing during the rotation still learns the new key (its watcher
    looks every refresh period); one that could not follow refuses to seal afterwards rather
    than seal under the retired key."""
    _key_file(tmp_path / "old.key")
    new = _key_file(tmp_path / "new.key")
    settings = _settings(tmp_path, db_url, tmp_path / "old.key")
    node, account_id, credential_id = _world(settings)
    idle = bootstrap(settings.model_copy(update={"keyring_refresh_seconds": 0.05}),
                     hasher=FAST_HASHER)
    stale = bootstrap(settings, hasher=FAST_HASHER)
    try:
        assert idle.keys.keyring.current.key_id == stale.keys.keyring.current.key_id
        rotation = _rotation(node)
        rotation.begin(new)
        for _ in range(400):  # bounded: the watcher looks every 0.05 s
            if new.key_id in {k.key_id for k in idle.keys.keyring.held()}:
                break
            threading.Event().wait(0.05)
        else:
            pytest.fail("the idle node's watcher did not learn the new key")
        rotation.rewrap(new)
        rotation.finish(new)
        _sign_once(idle, account_id, credential_id)
        assert idle.keys.keyring.current.key_id == new.key_id
        with pytest.raises(MasterKeyRetired, match="restart it with the new master key"):
            stale.accounts.send_code(account_id, Purpose.SIGN)
    finally:
        idle.close()
        stale.close()
        node.close()


def test_a_staged_file_key_that_starts_like_json_is_still_a_file_key() -> None:
    """A rotation hands a file key on as its 32 bytes; one in 256 begins with "{", which
    was once taken for a PKCS#11 key's JSON name (the nodes then never learnt the key)."""
    material = b"{" + os.urandom(31)
    staged = staged_key(MasterKey(material).describe(), None)
    assert isinstance(staged, MasterKey) and staged.material == material
