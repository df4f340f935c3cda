"""Hostile XML against the sandbox and every path that reads uploaded XML — upload,
``/validate``, CSC ``signDoc`` (``signature_format: "X"``): each is refused 400 with a
Vietnamese sentence (``unsafe_xml`` audited), never a 500 or a hang; a signature whose
verification costs minutes of CPU (:func:`reference_bomb`) is stopped by the child's CPU
limit, and the server keeps answering while several are in flight."""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from datetime import UTC, datetime

import httpx
import pytest

from kyso.adapters.sandbox import ProcessSandbox, SandboxLimits
from kyso.errors import InvalidInput
from kyso.signing.validation import ValidationReport
from kyso.signing.xml_input import UnsafeXml
from tests.integration.documents.conftest import Customer, World, open_world
from tests.integration.documents.xml_oracles import INVOICE
from tests.security.hostile_xml import CORPUS, reference_bomb

MAX_BYTES = 12 * 1024 * 1024  # the corpus's 11 MB texts and names reach the reader


@pytest.fixture(scope="module")
def sandbox() -> Iterator[ProcessSandbox]:
    box = ProcessSandbox(SandboxLimits(workers=1, cpu_seconds=1, wall_seconds=3,
                                       memory_mib=512))
    yield box
    box.close()


@pytest.fixture(scope="module")
def bomb() -> bytes:
    """4 MB signed 3,000 times over: about 2.5 minutes of CPU to verify (50 ms a reference,
    measured in-process: 20 references took 1 s)."""
    return reference_bomb(4_000_000, 3_000)


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_children_refuse_every_hostile_document(sandbox: ProcessSandbox,
                                                    name: str) -> None:
    build, code = CORPUS[name]
    data = build()
    for task in (sandbox.check_xml, lambda xml: sandbox.validate_xml(xml, datetime.now(UTC))):
        with pytest.raises(InvalidInput) as refused:
            task(data)
        assert refused.value.code == code
        assert refused.value.detail is None  # the sentence alone, no library's words
        assert "XML" in refused.value.describe("vi")


def test_a_reference_bomb_is_stopped_by_the_cpu_limit(
        world: World, bomb: bytes, caplog: pytest.LogCaptureFixture) -> None:
    # the server's own sandbox, whose children get kyso's CA answered as in production: a
    # bare one answers no PKI question, so a warm child would stop at its first (the roots)
    # before the references, and only a cold child's start-up would reach the CPU limit
    sandbox = world.container.pdf_sandbox
    assert isinstance(sandbox, ProcessSandbox)
    assert sandbox.check_xml(bomb) > 9_000  # well-formed, within every parser limit
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="kyso.adapters.sandbox"), \
            pytest.raises(UnsafeXml):
        sandbox.validate_xml(bomb, datetime.now(UTC))
    assert time.monotonic() - started < sandbox.limits.wall_seconds + 2
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert "stopped by the sandbox (validate_xml" in record.getMessage()
    assert record.exc_info is None and "\n" not in record.getMessage()
    report = sandbox.validate_xml(INVOICE.read_bytes(), datetime.now(UTC))  # a new child
    assert isinstance(report, ValidationReport) and report.signatures == ()


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("hostile-xml"), stack, sandbox_workers=2,
                         sandbox_cpu_seconds=1, sandbox_wall_seconds=3,
                         sandbox_queue_seconds=3, document_max_bytes=MAX_BYTES)


@pytest.fixture(scope="module")
def customer(world: World) -> Customer:
    return world.customer()


def _events(world: World, data: bytes) -> list[dict[str, object]]:
    digest = hashlib.sha256(data).hexdigest()
    with world.container.uow() as uow:
        return [dict(r.event.details) | {"actor": r.event.actor} for r in uow.audit.records()
                if r.event.action == "document.unsafe_xml"
                and r.event.details.get("sha256") == digest]


def _sign_doc(customer: Customer, xml: bytes) -> httpx.Response:
    entry = {"document": base64.b64encode(xml).decode(), "signature_format": "X",
             "signAlgo": "1.2.840.113549.1.1.11"}
    return customer.world.client.post(
        "/csc/v2/signatures/signDoc", headers=customer.headers,
        json={"credentialID": customer.credential.id, "SAD": "not-a-sad",
              "documents": [entry]})


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_every_path_refuses_hostile_xml_in_vietnamese(world: World, customer: Customer,
                                                      name: str) -> None:
    build, code = CORPUS[name]
    data = build()
    vi = {"Authorization": f"Bearer {customer.token}", "Accept-Language": "vi",
          "Content-Type": "application/xml"}
    uploaded = world.client.post("/api/v1/documents", params={"format": "xades"},
                                 content=data, headers=vi)
    validated = world.client.post("/api/v1/validate", content=data, headers=vi)
    for response in (uploaded, validated):
        assert response.status_code == 400, response.text
        assert response.json()["error"] == code
        description = response.json()["error_description"]
        assert "XML" in description and ("an toàn" in description or "đọc được" in description)
        assert "lol" not in response.text and "passwd" not in response.text
    signed = _sign_doc(customer, data)  # CSC's own code; read before the SAD is looked at
    assert signed.status_code == 400 and signed.json()["error"] == "invalid_request"
    assert "SAD" not in signed.json()["error_description"]
    events = _events(world, data)
    if code == "unsafe_xml":  # a security event for each path, size and hash only
        assert sorted(str(e.get("via")) for e in events) == ["None", "None", "csc.signDoc"]
        assert all(e["actor"] == customer.account_id and e["size"] == len(data)
                   for e in events)
    else:
        assert events == []


def test_the_server_answers_while_reference_bombs_run(world: World, customer: Customer,
                                                      bomb: bytes) -> None:
    headers = customer.headers | {"Content-Type": "application/xml"}

    def validate(_: int) -> httpx.Response:
        return httpx.post(f"{world.url}/api/v1/validate", content=bomb, headers=headers,
                          timeout=60)

    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        bombs = [pool.submit(validate, n) for n in range(4)]
        time.sleep(1.5)  # the children are busy with them
        waits = []
        for _ in range(3):
            asked = time.monotonic()
            health = httpx.get(f"{world.url}/healthz", timeout=10)
            waits.append(time.monotonic() - asked)
            assert health.status_code == 200
            listed = httpx.get(f"{world.url}/api/v1/documents", headers=customer.headers,
                               timeout=10)
            assert listed.status_code == 200, listed.text
        results = [b.result() for b in bombs]
    elapsed = time.monotonic() - started
    assert max(waits) < 2.0, waits
    codes = {(r.status_code, r.json()["error"]) for r in results}
    assert codes <= {(400, "unsafe_xml"), (503, "document_reader_busy")}, codes
    assert (400, "unsafe_xml") in codes
    assert elapsed < 30, elapsed  # not the minutes the verification would take
    fine = world.client.post("/api/v1/validate", content=INVOICE.read_bytes(), headers=headers)
    assert fine.status_code == 200 and fine.json()["signatures"] == []  # readers replaced
