"""Authorities by name, with their parsed certificates and signers, cached in memory.

An authority never changes once created, so an entry, once read, is kept for the life of
the process; only names not (yet) known go to the database. Lookups run in the caller's
unit of work, so the cache never opens a transaction of its own.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from asn1crypto import x509

from kyso.keys.ports import KeyStore
from kyso.pki.errors import NotInitialized, UnknownAuthority
from kyso.pki.model import ROOT, Authority
from kyso.pki.ports import PkiRepository
from kyso.pki.signer import Signer

__all__ = ["Directory", "Entry"]


@dataclass(frozen=True)
class Entry:
    authority: Authority
    signer: Signer = field(repr=False)

    @property
    def certificate(self) -> x509.Certificate:
        assert self.signer.certificate is not None
        return self.signer.certificate


class Directory:
    def __init__(self, keystore: KeyStore) -> None:
        self._keystore = keystore
        self._entries: dict[str, Entry] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Directory({sorted(self._entries)})"

    def cached(self, name: str) -> Entry | None:
        """The entry if this process has read it already (no database needed)."""
        return self._entries.get(name)

    def get(self, pki: PkiRepository, name: str) -> Entry:
        """The authority ``name``: :class:`UnknownAuthority` if there is none, or
        :class:`NotInitialized` if there is no root yet."""
        entry = self._entries.get(name)
        if entry is not None:
            return entry
        authority = pki.authority(name)
        if authority is None:
            if name == ROOT or pki.authority(ROOT) is None:
                raise NotInitialized()
            raise UnknownAuthority(name)
        entry = Entry(authority, Signer.of(self._keystore, authority.key, authority.certificate))
        with self._lock:
            return self._entries.setdefault(name, entry)

    def ca(self, pki: PkiRepository, name: str) -> Entry:
        """Like :meth:`get`, for CAs only (the names served under ``/pki/ca`` and ``/pki/crl``)."""
        entry = self.get(pki, name)
        if not entry.authority.role.is_ca:
            raise UnknownAuthority(name)
        return entry
