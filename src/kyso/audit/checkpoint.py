"""Checkpoints of the audit chain's head, written outside the database.

The keyed chain (``audit/chain.py``) shows any record edited, removed, moved or re-hashed;
it cannot show a trail cut at its end together with its head, or wiped. So the head
``(seq, hash)`` is written, from time to time (``kyso audit checkpoint``, and ``kyso worker``
every few minutes — never per request), as one line appended to a file outside the database
(``KYSO_HOME/audit-checkpoints.jsonl`` or ``KYSO_AUDIT_CHECKPOINT_FILE``): signed with
kyso's seal (``pki/hierarchy.py``), and time-stamped by kyso's TSA. Verification then asks
of each line: signed by the seal? its record still there (else the missing range), with the
same hash (else the record was rewritten with the key)?

A line::

    {"at":"2026-12-02T14:00:00.000000Z","hash":"…","seq":57,"signature":"<base64>",
     "signer":"seal:1a2b…","timestamp":"<base64 RFC 3161 token>"}

The signature and the time stamp cover :meth:`Checkpoint.statement`, the canonical JSON of
``{"at", "hash", "seq"}``.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from kyso.audit.chain import ChainKey, format_time
from kyso.audit.errors import Breach, ChainBroken
from kyso.audit.model import AuditRecord
from kyso.audit.sequencer import chain_pending
from kyso.audit.service import verify
from kyso.clock import Clock
from kyso.uow import UnitOfWorkFactory

__all__ = ["AuditAnchor", "Checkpoint", "CheckpointLog", "CheckpointSigner",
           "check_checkpoints"]


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str  # as signed (format_time)
    signer: str
    signature: bytes
    timestamp: bytes | None = None

    def statement(self) -> bytes:
        body = {"at": self.at, "hash": self.hash, "seq": self.seq}
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    def to_line(self) -> str:
        body = {"at": self.at, "hash": self.hash, "seq": self.seq, "signer": self.signer,
                "signature": base64.b64encode(self.signature).decode(),
                "timestamp": base64.b64encode(self.timestamp).decode()
                if self.timestamp else None}
        return json.dumps(body, sort_keys=True, separators=(",", ":"))

    @classmethod
    def from_line(cls, line: str) -> Checkpoint:
        """Raises ValueError on anything but a well-formed line."""
        try:
            m = json.loads(line)
            stamp = m["timestamp"]
            found = cls(int(m["seq"]), str(m["hash"]), str(m["at"]), str(m["signer"]),
                        base64.b64decode(m["signature"], validate=True),
                        base64.b64decode(stamp, validate=True) if stamp else None)
        except (KeyError, TypeError, binascii.Error, json.JSONDecodeError) as exc:
            raise ValueError(f"not a checkpoint: {exc}") from exc
        if found.seq < 0:
            raise ValueError("not a checkpoint: negative seq")
        return found


class CheckpointSigner(Protocol):
    """kyso's seal: signs and verifies checkpoint statements, and time-stamps them."""

    def sign(self, data: bytes) -> tuple[str, bytes]:
        """``(signer, signature)``."""
        ...

    def verify(self, signer: str, data: bytes, signature: bytes) -> bool: ...

    def timestamp(self, data: bytes) -> bytes | None:
        """An RFC 3161 token over SHA-256 of ``data``, or None if none can be had."""
        ...

    def stamped(self, data: bytes, token: bytes) -> bool:
        """Whether ``token`` is a time stamp of SHA-256 of ``data``."""
        ...


class CheckpointLog(Protocol):
    """Where checkpoints live, outside the database (append-only)."""

    def append(self, line: str) -> None: ...

    def lines(self) -> list[str]: ...


def check_checkpoints(lines: Iterable[str], signer: CheckpointSigner,
                      head: tuple[int, str], record_at: RecordLookup) -> int:
    """Check every checkpoint against the trail whose verified head is ``head``; return how
    many were checked, or raise :class:`ChainBroken`: the range missing since the latest
    checkpoint, a record whose hash a checkpoint saw otherwise, or a line not kyso's."""
    points = [(n, _signed(n, line, signer)) for n, line in enumerate(lines, start=1)
              if line.strip()]
    number, latest = max(points, key=lambda p: p[1].seq, default=(0, None))
    if latest is not None and latest.seq > head[0]:
        first = head[0] + 1
        gap = f"{first}" if latest.seq == first else f"{first}–{latest.seq}"
        raise ChainBroken(first, Breach.MISSING,
                          f"records {gap} missing: the checkpoint of {latest.at} "
                          f"(line {number}) saw the trail at seq {latest.seq}")
    for number, point in points:
        record = record_at(point.seq) if point.seq else None
        if point.seq and (record is None or record.hash != point.hash):
            raise ChainBroken(point.seq, Breach.REWRITTEN,
                              f"the checkpoint of {point.at} (line {number}) saw hash "
                              f"{point.hash[:12]}…")
    return len(points)


class RecordLookup(Protocol):
    def __call__(self, seq: int) -> AuditRecord | None: ...


def _signed(number: int, line: str, signer: CheckpointSigner) -> Checkpoint:
    try:
        point = Checkpoint.from_line(line)
    except ValueError as exc:
        raise ChainBroken(0, Breach.BAD_CHECKPOINT, f"line {number}: {exc}") from exc
    if not signer.verify(point.signer, point.statement(), point.signature) or (
            point.timestamp is not None and not signer.stamped(point.statement(),
                                                               point.timestamp)):
        raise ChainBroken(point.seq, Breach.BAD_CHECKPOINT,
                          f"line {number} is not signed by kyso's seal")
    return point


class AuditAnchor:
    """Writes checkpoints of the head, and verifies the trail against chain and checkpoints."""

    def __init__(self, uow_factory: UnitOfWorkFactory, clock: Clock, key: ChainKey,
                 signer: CheckpointSigner, log: CheckpointLog) -> None:
        self._uow, self._clock, self._key = uow_factory, clock, key
        self._signer, self._log = signer, log

    def checkpoint(self) -> Checkpoint:
        """Sign, time-stamp and append the current head (``kyso audit checkpoint``); the
        events pending (batched mode) are chained first, so it covers all committed."""
        chain_pending(self._uow)
        with self._uow(read_only=True) as uow:
            seq, digest = uow.audit.head()
        unsigned = Checkpoint(seq, digest, format_time(self._clock.now()), "", b"")
        name, signature = self._signer.sign(unsigned.statement())
        point = replace(unsigned, signer=name, signature=signature,
                        timestamp=self._signer.timestamp(unsigned.statement()))
        self._log.append(point.to_line())
        return point

    def checkpoint_if_moved(self) -> Checkpoint | None:
        """For the worker: a checkpoint unless the last one already holds the head."""
        lines = [line for line in self._log.lines() if line.strip()]
        chain_pending(self._uow)
        with self._uow(read_only=True) as uow:
            head = uow.audit.head()
        try:
            last = Checkpoint.from_line(lines[-1]) if lines else None
        except ValueError:
            last = None
        if last is not None and (last.seq, last.hash) == head:
            return None
        return self.checkpoint()

    def verify(self, *, chain: bool = True) -> tuple[tuple[int, str], int]:
        """The verified head and how many checkpoints agree with it; raises ChainBroken
        naming the first bad record or the missing range. ``chain``: the pending events
        (batched mode) are chained first (not when checking a restore against its
        manifest's head: they are chained once the restored kyso runs)."""
        head = verify(self._uow, key=self._key, chain=chain)
        return head, check_checkpoints(self._log.lines(), self._signer, head, self._record)

    def _record(self, seq: int) -> AuditRecord | None:
        with self._uow(read_only=True) as uow:
            found = next(uow.audit.records(after_seq=seq - 1), None)
        return found if found is not None and found.seq == seq else None
