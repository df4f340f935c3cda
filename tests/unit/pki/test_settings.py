"""The "PKI and keys" settings: the key-store choice and the PKI's parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from kyso.adapters.keystore.software import SoftwareKeyStore
from kyso.bootstrap import bootstrap, init_home
from kyso.config import ConfigError, load_settings
from kyso.keys.model import KeyAlgorithm


def test_pkcs11_needs_module_token_and_pin() -> None:
    with pytest.raises(ConfigError, match="pkcs11_module, pkcs11_token_label, pkcs11_user_pin"):
        load_settings({}, keystore_backend="pkcs11")
    with pytest.raises(ConfigError, match="pkcs11_user_pin"):
        load_settings({}, keystore_backend="pkcs11", pkcs11_module="/x.so",
                      pkcs11_token_label="t")


def test_the_pin_never_shows() -> None:
    settings = load_settings({}, keystore_backend="pkcs11", pkcs11_module="/x.so",
                             pkcs11_token_label="t", pkcs11_user_pin="98765432")
    assert "98765432" not in repr(settings) and "98765432" not in str(settings.model_dump())


@pytest.mark.parametrize(
    "bad",
    [{"pki_issuing_ca": "root"}, {"pki_issuing_ca": "Kyso CA"}, {"pki_certificate_days": 1096},
     {"pki_ca_key": "rsa-1024"}, {"pki_policy_oid": "not an oid"}, {"pki_crl_hours": 0}],
)
def test_pki_settings_are_checked(bad: dict[str, object]) -> None:
    with pytest.raises(ConfigError):
        load_settings({}, **bad)


def test_environment_reaches_the_pki_config(tmp_path: Path) -> None:
    environ = {"KYSO_PKI_ISSUING_CA": "ca-2026", "KYSO_PKI_CA_KEY": "ec-p384",
               "KYSO_PUBLIC_BASE_URL": "https://ca.example.vn/"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in environ.items():
            patch.setenv(key, value)
        settings = load_settings(home=tmp_path)
    init_home(settings)  # a container opens the master key its database was made with
    container = bootstrap(settings)
    config = container.pki_config
    assert (config.issuing_ca, config.ca_key) == ("ca-2026", KeyAlgorithm.EC_P384)
    assert config.crl_url("ca-2026") == "https://ca.example.vn/pki/crl/ca-2026.crl"
    assert isinstance(container.keystore, SoftwareKeyStore)
    container.close()
