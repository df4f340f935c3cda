"""Audit events and chained records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

__all__ = ["AuditEvent", "AuditRecord", "Outcome", "PendingAudit"]

Scalar = str | int | bool | None


class Outcome(StrEnum):
    SUCCESS = "success"
    FAILURE = "failure"
    INFO = "info"


@dataclass(frozen=True)
class AuditEvent:
    """What happened. ``details`` holds scalars only and never a secret."""

    action: str
    outcome: Outcome = Outcome.SUCCESS
    actor: str | None = None
    subject: str | None = None
    details: Mapping[str, Scalar] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.action or len(self.action) > 64:
            raise ValueError("an audit action is a non-empty name of at most 64 characters")
        for key, value in self.details.items():
            if not isinstance(key, str) or not isinstance(value, str | int | bool | type(None)):
                raise ValueError(f"audit detail {key!r} must be a scalar")
        object.__setattr__(self, "details", MappingProxyType(dict(self.details)))


@dataclass(frozen=True)
class AuditRecord:
    seq: int
    at: datetime
    event: AuditEvent
    prev_hash: str
    hash: str


@dataclass(frozen=True)
class PendingAudit:
    """An event written but not chained yet (``KYSO_AUDIT_CHAIN=batched``): committed with
    the action that caused it, given its ``seq`` and ``hash`` by the sequencer a moment
    later. ``id`` names it until then (``AuditRepository.position``)."""

    id: int
    at: datetime
    event: AuditEvent
