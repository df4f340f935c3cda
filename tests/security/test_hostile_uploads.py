"""The hostile-PDF corpus against every path that reads an untrusted PDF — upload, validate,
CSC signDoc — over HTTP; and the server stays responsive while 20 of them are in flight."""

from __future__ import annotations

import base64
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest

from tests.integration.documents.conftest import Customer, World, open_world
from tests.integration.documents.pdfs import sample_pdf
from tests.security.hostile_pdfs import CORPUS, cyclic_page_tree, form_bomb

REFUSALS = {"damaged_pdf", "invalid_document", "not_a_pdf"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("hostile"), stack, sandbox_workers=2,
                         sandbox_cpu_seconds=1, sandbox_wall_seconds=3,
                         sandbox_queue_seconds=3, document_max_bytes=1024 * 1024)


@pytest.fixture(scope="module")
def customer(world: World) -> Customer:
    return world.customer()


def _sign_doc(customer: Customer, pdf: bytes) -> httpx.Response:
    entry = {"document": base64.b64encode(pdf).decode(), "signature_format": "P",
             "signAlgo": "1.2.840.113549.1.1.11"}
    return customer.world.client.post(
        "/csc/v2/signatures/signDoc", headers=customer.headers,
        json={"credentialID": customer.credential.id, "SAD": "not-a-sad", "documents": [entry]})


def _refused_or_fine(response: httpx.Response, fine: int) -> None:
    assert response.status_code < 500, response.text
    if response.status_code != fine:
        assert response.json()["error"] in REFUSALS | {"invalid_request"}, response.text


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_the_corpus_never_breaks_a_path(world: World, customer: Customer, name: str) -> None:
    data = CORPUS[name]()
    uploaded = customer.upload(data)
    _refused_or_fine(uploaded, 201)
    if uploaded.status_code == 201:  # readable enough: signing it in the server is safe too
        confirmed = customer.confirm(uploaded.json()["transaction"])
        assert confirmed.status_code < 500, confirmed.text
    validated = world.client.post("/api/v1/validate", content=data,
                                  headers=customer.headers | {"Content-Type": "application/pdf"})
    _refused_or_fine(validated, 200)
    _refused_or_fine(_sign_doc(customer, data), 400)  # "not-a-sad" is refused after reading


def test_a_cyclic_page_tree_is_an_invalid_document_on_every_path(
        world: World, customer: Customer) -> None:
    data = cyclic_page_tree()
    validated = world.client.post("/api/v1/validate", content=data,
                                  headers=customer.headers | {"Content-Type": "application/pdf"})
    for response in (customer.upload(data), validated):
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_document"
    sign_doc = _sign_doc(customer, data)  # CSC's own code, kyso's reason
    assert sign_doc.status_code == 400, sign_doc.text
    assert sign_doc.json()["error"] == "invalid_request"
    assert "within the allowed limits" in sign_doc.json()["error_description"]
    vi = customer.world.client.post("/api/v1/documents", content=data, headers={
        "Authorization": f"Bearer {customer.token}", "Content-Type": "application/pdf"})
    assert vi.json()["error_description"].startswith("Không đọc được tài liệu")
    assert customer.upload(sample_pdf()).status_code == 201  # the readers were replaced


def test_a_form_bomb_draft_gets_a_400_from_its_previews(world: World,
                                                         customer: Customer) -> None:
    """pyHanko lets the file in as a draft; PDFium, drawing its page for the layout or the
    preview, runs out of the sandbox's limits (1 s of CPU, 3 s of wall clock here): 400."""
    draft = world.client.post("/api/v1/documents/drafts", content=form_bomb(),
                              headers=customer.headers | {"Content-Type": "application/pdf"})
    assert draft.status_code == 201, draft.text
    doc = draft.json()["id"]
    for path in (f"/documents/{doc}/layout", f"/documents/{doc}/pages/1.png"):
        response = customer.get(path)
        assert response.status_code == 400, response.text
        assert response.json()["error"] == "invalid_document"
    vi = world.client.get(f"/api/v1/documents/{doc}/layout",
                          headers={"Authorization": f"Bearer {customer.token}"})
    assert vi.json()["error_description"].startswith("Không đọc được tài liệu")
    fine = world.client.post("/api/v1/documents/drafts", content=sample_pdf(),
                             headers=customer.headers | {"Content-Type": "application/pdf"})
    assert customer.get(f"/documents/{fine.json()['id']}/layout").status_code == 200


def test_health_answers_while_twenty_hostile_uploads_run(world: World,
                                                         customer: Customer) -> None:
    data = cyclic_page_tree()
    headers = customer.headers | {"Content-Type": "application/pdf"}

    def upload(_: int) -> httpx.Response:
        return httpx.post(f"{world.url}/api/v1/documents", content=data, headers=headers,
                          timeout=60)

    with ThreadPoolExecutor(20) as pool:
        uploads = [pool.submit(upload, n) for n in range(20)]
        time.sleep(1)  # let them reach the sandbox
        started = time.monotonic()
        health = httpx.get(f"{world.url}/healthz", timeout=10)
        waited = time.monotonic() - started
        results = [u.result() for u in uploads]
    assert health.status_code == 200 and waited < 2.0
    codes = {(r.status_code, r.json()["error"]) for r in results}
    assert codes <= {(400, "invalid_document"), (503, "document_reader_busy")}, codes
    assert (400, "invalid_document") in codes
    busy = [r for r in results if r.status_code == 503]
    assert all(int(r.headers["Retry-After"]) > 0 for r in busy)


def test_a_child_answering_garbage_is_a_clean_400(world: World, customer: Customer,
                                                  monkeypatch: pytest.MonkeyPatch,
                                                  tmp_path: Path) -> None:
    """A reader taken over by its file answers with a pickle that would run code: the API
    says 400 invalid_document, nothing runs, and the next request is served normally."""
    from kyso.adapters.sandbox import ProcessSandbox, SandboxLimits, pool
    from tests.security.test_sandbox_wire import hostile_serve

    monkeypatch.setattr(pool, "serve", hostile_serve)
    marker = tmp_path / "pwned"
    box = ProcessSandbox(SandboxLimits(workers=1, cpu_seconds=1, wall_seconds=3,
                                       memory_mib=512), base_url=f"pickle:{marker}")
    documents = world.container.documents
    monkeypatch.setattr(documents, "_sandbox", box)
    try:
        response = world.client.post("/api/v1/validate", content=sample_pdf(),
                                     headers=customer.headers
                                     | {"Content-Type": "application/pdf"})
    finally:
        box.close()
    assert response.status_code == 400, response.text
    assert response.json()["error"] == "invalid_document"
    assert not marker.exists()
    monkeypatch.undo()
    assert world.client.post("/api/v1/validate", content=sample_pdf(), headers=customer.headers
                             | {"Content-Type": "application/pdf"}).status_code == 200
