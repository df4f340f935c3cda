"""A short memory of relying-party credentials that argon2 has just verified.

Relying parties call on every step (sign, then status polls), and argon2id is slow on
purpose (~190 ms with the production parameters). Once ``sp_id``/``sp_password`` has been
verified, an HMAC of the pair under a key drawn when the process starts names an entry that
lets the same pair through without argon2 for ``ttl_seconds``: the entry also records the
party's id and the stored hash it was checked against, so a rotated secret is never served
from it. The party row is still read on every call, so a disabled or locked party is refused
at once; failures never enter it and still go through argon2 and the lockout. Nothing here
is needed by another worker process: each keeps its own, and a miss only costs argon2.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections import OrderedDict
from datetime import datetime, timedelta

from kyso.clock import Clock

__all__ = ["VerifiedCredentials"]


class VerifiedCredentials:
    def __init__(self, clock: Clock, ttl_seconds: int = 60, max_entries: int = 4096) -> None:
        if ttl_seconds < 0 or max_entries < 1:
            raise ValueError("a non-negative lifetime and at least one entry")
        self._clock, self._ttl, self._max = clock, timedelta(seconds=ttl_seconds), max_entries
        self._key = secrets.token_bytes(32)
        self._entries: OrderedDict[bytes, tuple[str, str, datetime]] = OrderedDict()
        self._lock = threading.Lock()

    def knows(self, sp_id: str, sp_password: str, party_id: str, secret_hash: str) -> bool:
        """Whether this pair was verified against this very stored hash a moment ago."""
        name = self._name(sp_id, sp_password)
        with self._lock:
            entry = self._entries.get(name)
            if entry is None:
                return False
            known_party, known_hash, at = entry
            fresh = self._clock.now() - at < self._ttl
            if not fresh:
                del self._entries[name]
        return (fresh and hmac.compare_digest(known_party, party_id)
                and hmac.compare_digest(known_hash, secret_hash))

    def remember(self, sp_id: str, sp_password: str, party_id: str, secret_hash: str) -> None:
        if not self._ttl:
            return
        name = self._name(sp_id, sp_password)
        with self._lock:
            self._entries[name] = (party_id, secret_hash, self._clock.now())
            self._entries.move_to_end(name)
            while len(self._entries) > self._max:
                self._entries.popitem(last=False)

    def _name(self, sp_id: str, sp_password: str) -> bytes:
        message = sp_id.encode() + b"\x00" + sp_password.encode()
        return hmac.new(self._key, message, hashlib.sha256).digest()
