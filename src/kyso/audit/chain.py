"""The hash chain: canonical form, record hashes and verification (pure, no I/O).

Canonical form
--------------
The bytes hashed for a record are a JSON object encoded in UTF-8, with keys sorted by code
point at every level, no whitespace (separators ``,`` and ``:``), and non-ASCII characters
written as themselves rather than as ``\\u`` escapes::

    {"action":"login","actor":"u1","at":"2026-01-01T00:00:00.000000Z","details":{"ip":"::1"},
     "outcome":"success","prev_hash":"00…00","seq":1,"subject":null}

``at`` is the time in UTC, ISO 8601 with exactly six fractional digits and a ``Z``; naive
datetimes are refused. ``details`` holds the event's scalars (string, integer, boolean, null);
``outcome`` is the :class:`~kyso.audit.model.Outcome` value. The same helper,
:func:`dump_details`, gives the storage form of ``details``.

Hash
----
A record's hash is the lowercase hex HMAC-SHA256 of its canonical form under the chain key
(:class:`ChainKey`: derived from the master key with its own purpose, ``audit-chain``; the
database never holds it), so whoever edits the database cannot recompute the chain. The form
includes ``prev_hash`` (the hash of the record before; :data:`GENESIS` for the first) and
``seq``, so each hash covers the previous hash and the record's own content and place.
:data:`UNKEYED` (plain SHA-256) is the chain of a trail from before the key, which
``adapters/db/key_check.py`` re-hashes once, and of unit tests.

What a keyed chain cannot show is a trail cut at its end together with its head, or wiped:
the checkpoints written outside the database (``audit/checkpoint.py``) do.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditEvent, AuditRecord, Scalar
from kyso.secrets import MasterKey

__all__ = [
    "GENESIS",
    "LOOKAHEAD",
    "UNKEYED",
    "ChainKey",
    "canonical",
    "dump_details",
    "format_time",
    "record_hash",
    "seal",
    "verify_chain",
]

GENESIS = "0" * 64
"""The ``prev_hash`` of the first record, and the head hash of an empty trail."""

LOOKAHEAD = 1024
"""How far past a gap :func:`verify_chain` looks for the missing record, to tell a record
that was moved later in the stream (reordered) from one that is gone (removed)."""


@dataclass(frozen=True, repr=False)
class ChainKey:
    """The chain's HMAC-SHA256 key; without material, plain SHA-256 (:data:`UNKEYED`)."""

    material: bytes | None = None

    def __post_init__(self) -> None:
        if self.material is not None and len(self.material) < 32:
            raise ValueError("the audit chain key has at least 32 bytes")

    def __repr__(self) -> str:
        return "ChainKey(unkeyed)" if self.material is None else "ChainKey(**********)"

    @classmethod
    def derived(cls, master: MasterKey) -> ChainKey:
        """The chain key of a master key (its own purpose label)."""
        return cls(master.derive("audit-chain"))

    def digest(self, data: bytes) -> str:
        if self.material is None:
            return hashlib.sha256(data).hexdigest()
        return hmac.new(self.material, data, hashlib.sha256).hexdigest()


UNKEYED = ChainKey()


def format_time(at: datetime) -> str:
    """``at`` in UTC as ``YYYY-MM-DDTHH:MM:SS.ffffffZ``."""
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def dump_details(details: Mapping[str, Scalar]) -> str:
    """The canonical JSON text of an event's ``details``."""
    return _json(dict(details))


def canonical(seq: int, at: datetime, event: AuditEvent, prev_hash: str) -> bytes:
    """The canonical form of a record (see the module docstring)."""
    content = {
        "action": event.action,
        "actor": event.actor,
        "at": format_time(at),
        "details": dict(event.details),
        "outcome": event.outcome.value,
        "prev_hash": prev_hash,
        "seq": seq,
        "subject": event.subject,
    }
    return _json(content).encode("utf-8")


def record_hash(seq: int, at: datetime, event: AuditEvent, prev_hash: str,
                key: ChainKey = UNKEYED) -> str:
    """The keyed hash (hex) of the canonical form, which covers ``prev_hash``."""
    return key.digest(canonical(seq, at, event, prev_hash))


def seal(seq: int, at: datetime, event: AuditEvent, prev_hash: str,
         key: ChainKey = UNKEYED) -> AuditRecord:
    """The record that chains ``event`` at ``seq`` after a record whose hash is ``prev_hash``."""
    at = at.astimezone(UTC) if at.tzinfo is not None else at
    digest = record_hash(seq, at, event, prev_hash, key)
    return AuditRecord(seq=seq, at=at, event=event, prev_hash=prev_hash, hash=digest)


def _same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))


def _check_place(
    record: AuditRecord, expected: int, head_seq: int, rest: Iterator[AuditRecord]
) -> None:
    if record.seq > head_seq:
        raise ChainBroken(record.seq, Breach.BEYOND_HEAD, f"the head is at seq {head_seq}")
    if record.seq < expected:
        detail = f"seq {record.seq} comes again after seq {expected - 1}"
        raise ChainBroken(record.seq, Breach.REORDERED, detail)
    if record.seq > expected:
        raise _gap(expected, record.seq, rest)


def _gap(expected: int, found: int, rest: Iterator[AuditRecord]) -> ChainBroken:
    """Seq ``found`` came where ``expected`` belongs: reordered if ``expected`` comes soon."""
    if any(later.seq == expected for later in islice(rest, LOOKAHEAD)):
        return ChainBroken(expected, Breach.REORDERED, f"seq {found} comes before it")
    missing = f"{expected}" if found == expected + 1 else f"{expected}–{found - 1}"
    return ChainBroken(expected, Breach.REMOVED, f"seq {missing} missing")


def _check_content(record: AuditRecord, prev_hash: str, key: ChainKey) -> None:
    recomputed = record_hash(record.seq, record.at, record.event, record.prev_hash, key)
    intact = _same(recomputed, record.hash)
    linked = _same(record.prev_hash, prev_hash)
    if not intact and not linked:
        detail = "neither its hash nor its link fits this place (moved or renumbered)"
        raise ChainBroken(record.seq, Breach.REORDERED, detail)
    if not intact:
        detail = f"stored hash {record.hash[:12]}…, content hashes to {recomputed[:12]}…"
        raise ChainBroken(record.seq, Breach.ALTERED, detail)
    if not linked:
        detail = f"prev_hash {record.prev_hash[:12]}… ≠ {prev_hash[:12]}… of seq {record.seq - 1}"
        raise ChainBroken(record.seq, Breach.UNLINKED, detail)


def _check_end(last: tuple[int, str], head: tuple[int, str]) -> None:
    (last_seq, last_hash), (head_seq, head_hash) = last, head
    if last_seq < head_seq:
        detail = f"the head is at seq {head_seq}, the trail ends at seq {last_seq}"
        raise ChainBroken(last_seq + 1, Breach.TRUNCATED, detail)
    if not _same(last_hash, head_hash):
        raise ChainBroken(last_seq, Breach.HEAD_MISMATCH, f"head {head_hash[:12]}…")


def verify_chain(records: Iterable[AuditRecord], head: tuple[int, str],
                 key: ChainKey = UNKEYED) -> None:
    """Check ``records`` (in ``seq`` order, from seq 1) against ``head`` ``(seq, hash)``.

    Raises :class:`ChainBroken` naming the first bad record and the kind of breach; returns
    nothing otherwise. Streams: memory stays constant however long the trail. A record whose
    hash and link both fail at its place is reported as reordered (moved or renumbered); one
    that is intact but chained elsewhere as unlinked (something before it was rewritten).
    """
    last = (0, GENESIS)
    stream = iter(records)
    for record in stream:
        _check_place(record, last[0] + 1, head[0], stream)
        _check_content(record, last[1], key)
        last = (record.seq, record.hash)
    _check_end(last, head)
