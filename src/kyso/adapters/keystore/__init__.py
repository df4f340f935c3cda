"""Key store adapters: in-process software keys, and PKCS#11 tokens."""

from kyso.adapters.keystore.pkcs11 import Pkcs11KeyStore
from kyso.adapters.keystore.software import SoftwareKeyStore

__all__ = ["Pkcs11KeyStore", "SoftwareKeyStore"]
