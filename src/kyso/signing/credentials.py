"""Reading credentials out of the PKI: a customer's certificate, its key and its chain.

A credential id names its certificate (``<issuing CA>-<serial in hex>``), so one is found by
that key alone, and belongs to the caller or is as unknown as one that does not exist. The
certificate row is read every time (its status decides); what never or rarely changes is
kept by a :class:`ChainCache`: key handles and each leaf's authority key identifier (they
never change), and the CA part of each chain — an entry serves only leaves whose authority
key identifier is that CA's subject key identifier (a CA re-issued with a new key is read
afresh at once) and lives ``ttl_seconds`` (a renewal with the same key is seen within that
time).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Generic, TypeVar

from cryptography import x509

from kyso.clock import Clock
from kyso.errors import NotFound
from kyso.keys.model import KeyHandle
from kyso.pki.model import ROOT, IssuedCertificate
from kyso.signing.errors import CredentialUnusable
from kyso.signing.model import Credential, credential_id
from kyso.uow import UnitOfWork

__all__ = ["ChainCache", "credential_id", "credential_of", "find_credential", "list_credentials",
           "parse_credential_id", "usable"]


class ChainCache:
    """CA certificates above each issuing authority (nearest first) for a while; key handles
    and leaves' authority key identifiers for good (both bounded, least recent out). Without
    a clock it keeps nothing."""

    def __init__(self, clock: Clock | None = None, ttl_seconds: int = 300,
                 max_entries: int = 10_000) -> None:
        self._clock, self._ttl = clock, timedelta(seconds=ttl_seconds)
        self._entries: dict[tuple[str, bytes], tuple[tuple[bytes, ...], datetime]] = {}
        self._keys: _Lru[str, KeyHandle] = _Lru(max_entries)
        self._akis: _Lru[tuple[str, int], bytes] = _Lru(max_entries)
        self._lock = threading.Lock()

    def above(self, uow: UnitOfWork, leaf: IssuedCertificate) -> tuple[bytes, ...]:
        key = (leaf.issuer, self._aki(leaf))
        now = self._clock.now() if self._clock is not None else None
        with self._lock:
            entry = self._entries.get(key)
        if entry is not None and now is not None and now - entry[1] < self._ttl:
            return entry[0]
        cas = _load_chain(uow, leaf.issuer)
        if now is not None and cas and _subject_key_id(cas[0]) == key[1]:
            with self._lock:
                self._entries[key] = (cas, now)
        return cas

    def key(self, uow: UnitOfWork, key_id: str) -> KeyHandle | None:
        """The key handle (a handle never changes once stored)."""
        with self._lock:
            found = self._keys.get(key_id)
        if found is None and (found := uow.pki.key(key_id)) is not None and self._clock:
            with self._lock:
                self._keys.put(key_id, found)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def _aki(self, leaf: IssuedCertificate) -> bytes:
        name = (leaf.issuer, leaf.serial)
        with self._lock:
            found = self._akis.get(name)
        if found is None:
            found = _authority_key_id(leaf.certificate)
            if self._clock is not None:
                with self._lock:
                    self._akis.put(name, found)
        return found


K = TypeVar("K")
V = TypeVar("V")


class _Lru(Generic[K, V]):
    def __init__(self, size: int) -> None:
        self._size, self._items = size, OrderedDict[K, V]()

    def get(self, key: K) -> V | None:
        found = self._items.get(key)
        if found is not None:
            self._items.move_to_end(key)
        return found

    def put(self, key: K, value: V) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


def parse_credential_id(wanted: str) -> tuple[str, int] | None:
    """``(issuer, serial)`` of a well-formed credential id, else None."""
    issuer, dash, serial = wanted.rpartition("-")
    if not dash or not issuer or not 0 < len(serial) <= 40:
        return None
    try:
        number = int(serial, 16)
    except ValueError:
        return None
    return (issuer, number) if credential_id(issuer, number) == wanted else None


def find_credential(uow: UnitOfWork, account_id: str, wanted: str,
                    chains: ChainCache | None = None) -> Credential:
    """The account's credential ``wanted``; another customer's is as unknown as none."""
    parsed = parse_credential_id(wanted)
    certificate = uow.pki.certificate(*parsed) if parsed is not None else None
    return credential_of(uow, account_id, certificate, chains)


def credential_of(uow: UnitOfWork, account_id: str, certificate: IssuedCertificate | None,
                  chains: ChainCache | None = None) -> Credential:
    """:func:`find_credential` for a certificate already read (None: none found)."""
    if certificate is None or certificate.account_id != account_id:
        raise NotFound()
    found = _credential(uow, certificate, chains or ChainCache())
    if found is None:
        raise NotFound()
    return found


def list_credentials(uow: UnitOfWork, account_id: str,
                     chains: ChainCache | None = None) -> list[Credential]:
    """The account's certificates that have a key on the server, newest first."""
    chains = chains or ChainCache()
    found = (_credential(uow, cert, chains)
             for cert in uow.pki.certificates(account_id=account_id))
    return [credential for credential in found if credential is not None]


def usable(credential: Credential, now: datetime) -> Credential:
    status = credential.status_at(now)
    if status.value != "active":
        raise CredentialUnusable(status=status.value)
    return credential


def _credential(uow: UnitOfWork, cert: IssuedCertificate,
                chains: ChainCache) -> Credential | None:
    key = chains.key(uow, cert.key_id) if cert.key_id else None
    if key is None:
        return None
    return Credential(cert, key, (cert.certificate, *chains.above(uow, cert)))


def _load_chain(uow: UnitOfWork, issuer: str | None) -> tuple[bytes, ...]:
    chain = []
    while issuer is not None:
        authority = uow.pki.authority(issuer)
        if authority is None:
            break
        chain.append(authority.certificate)
        issuer = None if authority.name == ROOT else authority.issuer
    return tuple(chain)


def _authority_key_id(der: bytes) -> bytes:
    try:
        ext = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
            x509.AuthorityKeyIdentifier)
    except (ValueError, x509.ExtensionNotFound):
        return b""
    return ext.value.key_identifier or b""


def _subject_key_id(der: bytes) -> bytes:
    try:
        ext = x509.load_der_x509_certificate(der).extensions.get_extension_for_class(
            x509.SubjectKeyIdentifier)
    except (ValueError, x509.ExtensionNotFound):
        return b""
    return ext.value.digest
