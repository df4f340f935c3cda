"""Signing keys: value types, the ``KeyStore`` port and its errors (adapters live elsewhere)."""

from kyso.keys.errors import (
    BackendUnavailable,
    InvalidDigest,
    KeyNotFound,
    KeyStoreError,
    KeyUnreadable,
    UnsupportedAlgorithm,
)
from kyso.keys.model import HashAlgorithm, KeyAlgorithm, KeyHandle, SignatureScheme
from kyso.keys.ports import KeyStore

__all__ = [
    "BackendUnavailable",
    "HashAlgorithm",
    "InvalidDigest",
    "KeyAlgorithm",
    "KeyHandle",
    "KeyNotFound",
    "KeyStore",
    "KeyStoreError",
    "KeyUnreadable",
    "SignatureScheme",
    "UnsupportedAlgorithm",
]
