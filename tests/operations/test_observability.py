"""Metrics and logs over one customer journey: /metrics in Prometheus's format with the
requests by route template, signatures and OTP checks by outcome, lock-outs, the outbox and
the quota holds; JSON log lines with the request id of the answer, and nothing personal or
secret in them (phone, email, ID number, password, PIN, codes, tokens)."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import ExitStack

import pytest
import structlog
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families

from kyso.entrypoints.api.app import create_app
from kyso.entrypoints.logs import configure_logging
from tests.integration.api.conftest import PASSWORD, PIN, last_code
from tests.integration.documents.conftest import World, open_world
from tests.integration.documents.pdfs import sample_pdf


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("observe"), stack)


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    out = io.StringIO()
    configure_logging("INFO", "json", stream=out)
    try:
        yield out
    finally:
        root.handlers, _ = saved
        root.setLevel(saved[1])
        structlog.reset_defaults()


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(world: World, peer: str = "127.0.0.1") -> Samples:
    with TestClient(create_app(world.container), client=(peer, 40000)) as client:
        r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_metrics_are_for_the_allowed_addresses_only(world: World) -> None:
    assert world.client.get("/metrics").status_code == 404  # a stranger's peer address
    with TestClient(create_app(world.container), client=("203.0.113.7", 40000)) as client:
        assert client.get("/metrics").status_code == 404


def test_a_journey_in_the_metrics_and_in_quiet_json_logs(world: World,
                                                        logs: io.StringIO) -> None:
    before = scrape(world)
    sms = world.customer("Trịnh Văn Khoa", smartotp=False)
    app_user = world.customer("Lê Thị Hoa")
    me = sms.get("/me").json()
    wrong = world.client.post("/api/v1/auth/login", json={"login": me["username"],
                                                            "password": "Sai-mat-khau-1"})
    assert wrong.status_code == 401
    uploaded = sms.upload(sample_pdf(), level="B-B").json()
    code = last_code(world.container, sms.account_id, "SIGN")
    bad = "000000" if code != "000000" else "111111"
    assert sms.confirm(uploaded["transaction"], otp=bad).status_code in (400, 401, 403)
    confirmed = sms.confirm(uploaded["transaction"], otp=code)
    assert confirmed.status_code == 200, confirmed.text
    request_id = confirmed.headers["X-Request-ID"]
    app_user.sign(sample_pdf("Hop dong"), level="B-B")
    world.container.outbox_worker().run_once()
    after = scrape(world)

    # -- metrics: by route template and status, by outcome
    def grew(name: str, by: float = 1, **labels: str) -> bool:
        return value(after, name, **labels) - value(before, name, **labels) >= by

    assert grew("kyso_http_requests_total", 2, method="POST", route="/api/v1/documents",
                status="201")
    assert grew("kyso_http_requests_total", method="POST",
                route="/api/v1/transactions/{transaction_id}/confirm", status="200")
    assert grew("kyso_http_requests_total", method="POST", route="/api/v1/auth/login",
                status="401")
    assert grew("kyso_http_request_duration_seconds_count", method="GET",
                route="/api/v1/documents/{document_id}/download")
    assert grew("kyso_signatures_total", 2, outcome="signed")
    assert grew("kyso_otp_checks_total", factor="sms", outcome="rejected")
    assert grew("kyso_otp_checks_total", factor="sms", outcome="accepted")
    assert grew("kyso_otp_checks_total", factor="smartotp", outcome="accepted")
    assert grew("kyso_audit_events_total", action="auth.login_failed", outcome="failure")
    for gauge in ("kyso_outbox_pending", "kyso_outbox_oldest_pending_seconds",
                  "kyso_quota_holds", "kyso_quota_held_signatures",
                  "kyso_db_pool_connections_in_use"):
        assert (gauge, frozenset()) in after, gauge
    assert value(after, "kyso_outbox_pending") == 0  # the worker delivered everything
    assert ("kyso_lockouts_total", frozenset()) not in after  # none yet: a labelled family

    # -- logs: JSON lines, the answer's request id, nothing personal or secret
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    access = [line for line in lines if line["logger"] == "kyso.access"]
    assert any(line["request_id"] == request_id and line["status"] == 200 and
               line["route"] == "/api/v1/transactions/{transaction_id}/confirm"
               for line in access)
    assert all({"timestamp", "level", "event"} <= line.keys() for line in lines)
    text = logs.getvalue()
    secrets = [me["phone"], me["phone"].lstrip("+"), me["email"], me["id_number"],
               PASSWORD, PIN, code, sms.token, app_user.token, "Khoa", "Hoa"]
    for secret in secrets:
        assert secret and secret not in text, secret


def test_the_last_guard_masks_contacts_and_tokens_but_not_ids() -> None:
    from kyso.entrypoints.logs import scrub
    line = ("to +84912345678 / 0912345678 / an.nguyen@example.vn / CCCD:001190000123 / "
            "Authorization: Bearer abc.DEF-123 / request 0123456789abcdef0123456789abcdef")
    assert scrub(line) == ("to <number> / <number> / <email> / CCCD:<number> / "
                           "Authorization: Bearer <token> / request "
                           "0123456789abcdef0123456789abcdef")


def test_the_last_guard_leaves_a_clean_line_as_it_is_and_masks_each_kind_alone() -> None:
    from kyso.entrypoints.logs import scrub
    clean = "request POST /api/v1/smartotp/verify 204 12345678 ab@"[:-1]
    assert scrub(clean) is clean  # nothing any mask could match: not even copied
    assert scrub("0912345678") == "<number>"
    assert scrub("a@b.vn") == "<email>"
    assert scrub("BEARER x.y") == "Bearer <token>"
    assert scrub("12345678 / 1234567890x / x123456789") == "12345678 / 1234567890x / x123456789"
