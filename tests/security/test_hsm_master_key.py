"""A master key held in the PKCS#11 token (SoftHSM2): a non-extractable AES key wraps the data
keys; a node starts with it; a rotation moves a file key's database onto it (docs/KEYS.md).
SQLite, or PostgreSQL with KYSO_TEST_DATABASE_URL."""

from __future__ import annotations

import hashlib
import os
import secrets
from pathlib import Path

import pkcs11
import pytest
from pkcs11 import Attribute, ObjectClass

from kyso.adapters.db.key_check import MasterKeyMismatch, MasterKeyMissing
from kyso.adapters.keystore.pkcs11_master import Pkcs11MasterKey, generate_master_key
from kyso.bootstrap import bootstrap, init_home
from kyso.config import Settings
from kyso.keys.errors import KeyStoreError
from kyso.secrets import Envelope, MasterKey, SealedValueError, Secret
from tests.conftest import FAST_HASHER
from tests.security.homes import kyso
from tests.security.test_key_rotation import (
    _opens_nothing,
    _rotation,
    _sign_once,
    _world,
    restart_and_sign,
)
from tests.softhsm import SoftHsm


def _label() -> str:
    return f"kyso-master-{secrets.token_hex(4)}"


def _hsm_settings(tmp_path: Path, db_url: str, hsm: SoftHsm, label: str | None,
                  **extra: object) -> Settings:
    pin_file = tmp_path / "pin"
    pin_file.write_text(hsm.pin + "\n")
    pin_file.chmod(0o600)
    backend = {"master_key_backend": "pkcs11", "master_key_pkcs11_label": label} if label else {}
    return Settings(home=tmp_path / "home", database_url=db_url, keyring_refresh_seconds=0,
                    otp_resend_seconds=0, otp_max_sends_per_hour=10_000,
                    pki_ca_key="ec-p256", pki_responder_key="ec-p256", pki_tsa_key="ec-p256",
                    pki_subscriber_key="ec-p256", pkcs11_module=hsm.module,
                    master_key_pkcs11_token=hsm.token, master_key_pkcs11_pin_file=pin_file,
                    **backend, **extra)  # type: ignore[arg-type]


def test_the_token_key_seals_and_opens_and_never_leaves(softhsm: SoftHsm) -> None:
    pin = Secret(softhsm.pin)
    key = generate_master_key(softhsm.module, softhsm.token, _label(), pin)
    other = generate_master_key(softhsm.module, softhsm.token, _label(), pin)
    try:
        sealed = Envelope(key).seal(b"hat giong SmartOTP", "smartotp-seed:t1")
        assert Envelope(key).open(sealed, "smartotp-seed:t1") == b"hat giong SmartOTP"
        with pytest.raises(SealedValueError):
            Envelope(key).open(sealed, "smartotp-seed:t2")  # another purpose
        moved = Envelope(key).rewrap(sealed, "smartotp-seed:t1", other)  # a token key's id
        with pytest.raises(SealedValueError):
            Envelope(key).open(moved, "smartotp-seed:t1")
        assert Envelope(other).open(moved, "smartotp-seed:t1") == b"hat giong SmartOTP"
        with pytest.raises(SealedValueError):  # a file key refuses it too
            Envelope(MasterKey(os.urandom(32))).open(sealed, "smartotp-seed:t1")
        with pytest.raises(KeyStoreError, match="already holds"):
            generate_master_key(softhsm.module, softhsm.token, key.key_label, pin)
        token = pkcs11.lib(softhsm.module).get_token(token_label=softhsm.token)
        with token.open() as session:
            found = session.get_key(object_class=ObjectClass.SECRET_KEY, label=key.key_label)
            assert found[Attribute.SENSITIVE] and not found[Attribute.EXTRACTABLE]
    finally:
        key.close()
        other.close()


def test_a_node_starts_with_the_token_key(tmp_path: Path, db_url: str,
                                          softhsm: SoftHsm) -> None:
    label = _label()
    generate_master_key(softhsm.module, softhsm.token, label, Secret(softhsm.pin)).close()
    settings = _hsm_settings(tmp_path, db_url, softhsm, label)
    node, account_id, credential_id = _world(settings)
    _sign_once(node, account_id, credential_id)
    node.close()
    assert not settings.master_key_path.exists()  # no key file was made
    restart_and_sign(settings, account_id, credential_id)
    with pytest.raises(MasterKeyMissing, match="has no key"):
        init_home(_hsm_settings(tmp_path, db_url, softhsm, "no-such-key"))
    stranger = _label()
    generate_master_key(softhsm.module, softhsm.token, stranger, Secret(softhsm.pin)).close()
    with pytest.raises(MasterKeyMismatch):
        init_home(_hsm_settings(tmp_path, db_url, softhsm, stranger))


def test_a_rotation_moves_a_file_key_onto_the_token(tmp_path: Path, db_url: str,
                                                    softhsm: SoftHsm) -> None:
    material = os.urandom(32)
    (tmp_path / "old.key").write_bytes(material)
    (tmp_path / "old.key").chmod(0o600)
    # every node already holds the token settings, the file key still in use
    settings = _hsm_settings(tmp_path, db_url, softhsm, None,
                             master_key_file=tmp_path / "old.key")
    node, account_id, credential_id = _world(settings)
    label = _label()
    new = generate_master_key(softhsm.module, softhsm.token, label, Secret(softhsm.pin))
    admin = bootstrap(settings, hasher=FAST_HASHER)
    try:
        rotation = _rotation(admin)
        rotation.begin(new)
        _sign_once(node, account_id, credential_id)  # the serving node follows onto the token
        assert isinstance(node.keys.keyring.current, Pkcs11MasterKey)
        rotation.rewrap(new, batch_size=3)
        rotation.finish(new, batch_size=3)
        _sign_once(node, account_id, credential_id)
        _opens_nothing(MasterKey(material), node)
    finally:
        admin.close()
        node.close()
        new.close()
    (tmp_path / "old.key").unlink()  # retired: the token key alone starts the node
    restart_and_sign(_hsm_settings(tmp_path, db_url, softhsm, label), account_id, credential_id)


def test_the_cli_makes_a_token_key_and_rotates_onto_it(tmp_path: Path, db_url: str,
                                                       softhsm: SoftHsm) -> None:
    home, database = tmp_path / "home", (None if db_url.startswith("sqlite") else db_url)
    old, label = tmp_path / "old.key", _label()
    token = {"KYSO_PKCS11_MODULE": softhsm.module, "KYSO_MASTER_KEY_PKCS11_TOKEN": softhsm.token,
             "KYSO_MASTER_KEY_PKCS11_PIN": softhsm.pin, "KYSO_KEYRING_REFRESH_SECONDS": "0",
             "KYSO_MASTER_KEY_FILE": str(old)}
    assert kyso(home, database, "init", **token).returncode == 0
    made = kyso(home, database, "keys", "hsm-generate", "--label", label, **token)
    assert made.returncode == 0, made.stdout + made.stderr
    rotated = kyso(home, database, "keys", "rotate-master", "--new-hsm-key", label, **token)
    assert rotated.returncode == 0 and "rotation finished" in rotated.stdout, rotated.stderr
    on_token = token | {"KYSO_MASTER_KEY_BACKEND": "pkcs11", "KYSO_MASTER_KEY_PKCS11_LABEL": label}
    verified = kyso(home, database, "audit", "verify", **on_token)
    assert verified.returncode == 0 and "intact" in verified.stdout, verified.stderr
    refused = kyso(home, database, "audit", "verify", **token)  # the old file key
    assert refused.returncode == 2 and "does not open" in " ".join(refused.stderr.split())
    fresh = tmp_path / "fresh"  # a new installation on the token key from the start
    assert kyso(fresh, None, "init", **on_token).returncode == 0
    assert not (fresh / "master.key").exists()
    status = kyso(fresh, None, "keys", "status", **on_token)
    key_id = hashlib.sha256(f"kyso/pkcs11-master/{softhsm.token}/{label}".encode()).hexdigest()
    assert status.returncode == 0 and f"master key: {key_id[:16]}" in status.stdout
