"""Prometheus metrics (prometheus-client), shared by the workers of ``kyso serve --workers N``.

Multi-process: when ``PROMETHEUS_MULTIPROC_DIR`` is set before this module is first imported
(``kyso serve`` sets it to ``KYSO_HOME/metrics`` for several workers), every process writes
its values to files there and ``/metrics`` sums them; otherwise the values live in the
process. The choice is made once, at import, as prometheus-client makes it.

What is counted, and where (never a query on the hot path, only counter increments):

* HTTP requests and their latency, by route template and status (the API middleware);
* committed audit events (``SqlUnitOfWork.commit``), from which come the signatures by
  outcome, the OTP checks by factor and outcome, lock-outs and throttles — every security
  event is audited, so the audit trail is the one source of these numbers;
* connections checked out of the database pool (pool events);
* at scrape time only: the outbox's depth and oldest pending message, the quota holds.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import Engine, event, func, select

from kyso.adapters.db.tables.notify import outbox
from kyso.adapters.db.tables.quota import quota_holds
from kyso.audit.model import AuditEvent, AuditRecord, PendingAudit
from kyso.audit.ports import AuditRepository
from kyso.notify.model import DeliveryStatus, OutboundMessage

__all__ = ["CONTENT_TYPE_LATEST", "MULTIPROCESS", "CountedAudit", "observe_audit", "observe_pool",
           "observe_request", "render"]

MULTIPROCESS = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))

REQUESTS = Counter("kyso_http_requests_total", "HTTP requests answered.",
                   ["method", "route", "status"])
LATENCY = Histogram("kyso_http_request_duration_seconds", "Time to answer an HTTP request.",
                    ["method", "route"],
                    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
AUDIT = Counter("kyso_audit_events_total", "Audit events committed.", ["action", "outcome"])
SIGNATURES = Counter("kyso_signatures_total",
                     "Signature operations (signHash, signDoc, documents) by outcome.",
                     ["outcome"])
OTP_CHECKS = Counter("kyso_otp_checks_total", "One-time code checks by factor and outcome.",
                     ["factor", "outcome"])
LOCKOUTS = Counter("kyso_lockouts_total", "Secrets locked after too many failures.", ["kind"])
THROTTLED = Counter("kyso_throttled_total", "Attempts refused with 429 by the throttle.",
                    ["kind"])
POOL_IN_USE = Gauge("kyso_db_pool_connections_in_use",
                    "Database connections checked out of the pools.",
                    multiprocess_mode="livesum")
POOL_OPENED = Counter("kyso_db_connections_opened_total", "Database connections opened.")
# `kyso worker` (its own /metrics: `--metrics-port`)
DELIVERIES = Counter("kyso_outbox_deliveries_total",
                     "Outbox delivery attempts by channel and outcome (sent, retry, dead).",
                     ["channel", "outcome"])
CHORES = Counter("kyso_worker_chore_runs_total", "Worker chores run, by outcome (ok, failed).",
                 ["chore", "outcome"])
CHORE_DONE = Gauge("kyso_worker_chore_last_success_timestamp_seconds",
                   "When each worker chore last ran to the end (Unix time).", ["chore"],
                   multiprocess_mode="max")
OUTBOX_PASS = Gauge("kyso_worker_outbox_pass_timestamp_seconds",
                    "When the worker last finished a pass over the outbox (Unix time): "
                    "alert when it stops moving.", multiprocess_mode="max")

# audit action → (counter, labels)
_SIGNATURE_OUTCOMES = {"signing.signed": "signed", "signing.refused": "refused",
                       "signing.failed": "failed", "signing.out_of_signatures": "no_quota",
                       "signing.redelivered": "redelivered"}
_OTP_OUTCOMES = {"otp.verified": ("sms", "accepted"), "otp.rejected": ("sms", "rejected"),
                 "smartotp.verified": ("smartotp", "accepted"),
                 "smartotp.transaction_code_verified": ("smartotp", "accepted"),
                 "smartotp.failed": ("smartotp", "rejected"),
                 "smartotp.replayed": ("smartotp", "replayed"),
                 "smartotp.locked_attempt": ("smartotp", "locked")}


# a metric's child per label values, kept: prometheus_client's labels() checks and converts
# the values and takes a lock at every call, and each request asks for four
_CHILDREN: dict[tuple[Any, ...], Any] = {}


def _child(metric: Any, *values: str) -> Any:
    key = (metric, *values)
    child = _CHILDREN.get(key)
    if child is None:
        child = _CHILDREN[key] = metric.labels(*values)
    return child


def observe_request(method: str, route: str, status: int, seconds: float) -> None:
    _child(REQUESTS, method, route, str(status)).inc()
    _child(LATENCY, method, route).observe(seconds)


def observe_audit(events: Iterable[AuditEvent]) -> None:
    """Count audit events once their transaction committed."""
    for e in events:
        action = e.action
        _child(AUDIT, action, e.outcome.value).inc()
        if action in _SIGNATURE_OUTCOMES:
            _child(SIGNATURES, _SIGNATURE_OUTCOMES[action]).inc()
        elif action in _OTP_OUTCOMES:
            _child(OTP_CHECKS, *_OTP_OUTCOMES[action]).inc()
        elif action.endswith("_locked"):
            _child(LOCKOUTS, action).inc()
        elif action.endswith("_throttled") or action == "rp.throttled":
            _child(THROTTLED, action).inc()


class CountedAudit:
    """An audit repository that remembers what was appended, for :func:`observe_audit` once
    the unit of work commits (a rolled-back event is not counted)."""

    def __init__(self, inner: AuditRepository) -> None:
        self._inner = inner
        self.appended: list[AuditEvent] = []

    def append(self, event: AuditEvent, at: datetime) -> AuditRecord | PendingAudit:
        record = self._inner.append(event, at)
        self.appended.append(event)
        return record

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def committed(self) -> None:
        if self.appended:
            observe_audit(self.appended)
            self.appended.clear()


def observe_delivery(message: OutboundMessage) -> None:
    """One recorded delivery attempt (``OutboxWorker(observe=…)``)."""
    outcome = {DeliveryStatus.SENT: "sent", DeliveryStatus.DEAD: "dead"}.get(message.status,
                                                                             "retry")
    DELIVERIES.labels(message.channel.value, outcome).inc()


def observe_chore(chore: str, ok: bool) -> None:
    CHORES.labels(chore, "ok" if ok else "failed").inc()
    if ok:
        CHORE_DONE.labels(chore).set_to_current_time()


def observe_outbox_pass() -> None:
    OUTBOX_PASS.set_to_current_time()


def serve_worker_metrics(engine: Engine, host: str, port: int) -> None:
    """``kyso worker``'s own exposition on ``host:port`` (a daemon thread): its counters and
    the backlog, the same text as ``render``."""
    from prometheus_client import start_http_server

    start_http_server(port, host, registry=_Rendered(engine))


class _Rendered(Collector):
    """A collector of :func:`render`'s families: this process's (or every process's) metrics
    then the backlog."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[Any]:
        yield from _counted().collect()
        yield from _Backlog(self._engine).collect()

    def restricted_registry(self, _names: Iterable[str]) -> _Rendered:
        return self


def _counted() -> CollectorRegistry:
    if MULTIPROCESS:
        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)  # type: ignore[no-untyped-call]
        return counted
    return REGISTRY


def observe_pool(engine: Engine) -> None:
    """Count the engine's connections in use and opened (pool events)."""

    @event.listens_for(engine, "connect")
    def _connect(*_: Any) -> None:
        POOL_OPENED.inc()

    @event.listens_for(engine, "checkout")
    def _checkout(*_: Any) -> None:
        POOL_IN_USE.inc()

    @event.listens_for(engine, "checkin")
    def _checkin(*_: Any) -> None:
        POOL_IN_USE.dec()


class _Backlog(Collector):
    """The outbox and the quota holds, read when Prometheus scrapes (one short query each)."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def collect(self) -> Iterator[GaugeMetricFamily]:
        with self._engine.connect() as conn:
            depth, oldest = conn.execute(
                select(func.count(), func.min(outbox.c.created_at))
                .where(outbox.c.status == "pending")).one()
            holds, held = conn.execute(
                select(func.count(), func.coalesce(func.sum(quota_holds.c.count), 0))).one()
        yield GaugeMetricFamily("kyso_outbox_pending", "Messages waiting in the outbox.",
                                value=depth)
        age = 0.0
        if oldest is not None:
            oldest = oldest if oldest.tzinfo else oldest.replace(tzinfo=UTC)
            age = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        yield GaugeMetricFamily("kyso_outbox_oldest_pending_seconds",
                                "Age of the oldest message waiting in the outbox.", value=age)
        yield GaugeMetricFamily("kyso_quota_holds", "Quota reservations held.", value=holds)
        yield GaugeMetricFamily("kyso_quota_held_signatures",
                                "Signatures reserved by the quota holds.", value=held)


def render(engine: Engine) -> bytes:
    """The exposition text: this process's (or every worker's) metrics, then the backlog."""
    backlog = CollectorRegistry()
    backlog.register(_Backlog(engine))
    return generate_latest(_counted()) + generate_latest(backlog)


def process_ended() -> None:
    """A worker leaves: its live gauges stop counting (multi-process mode)."""
    if MULTIPROCESS:
        multiprocess.mark_process_dead(os.getpid())  # type: ignore[no-untyped-call]
