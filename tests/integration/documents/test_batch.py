"""Several documents confirmed in one approval: one transaction bound to every file, one
code, every document signed (pdfsig and pyHanko agree), one signature counted each."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import needs_tools, pdfsig
from tests.integration.documents.pdfs import sample_pdf


def _draft(world: World, customer: Customer, name: str, data: bytes) -> str:
    r = world.client.post("/api/v1/documents/drafts", content=data, params={"name": name},
                          headers=customer.headers | {"Content-Type": "application/pdf"})
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _together(world: World, customer: Customer, ids: list[str], **body: Any) -> Any:
    return world.client.post("/api/v1/documents/batch", headers=customer.headers,
                             json={"documents": ids, **body})


@needs_tools
def test_three_documents_one_approval(world: World, tmp_path: Path) -> None:
    customer = world.customer("Đặng Thị Ba", signatures=3)
    ids = [_draft(world, customer, f"hopdong-{n}.pdf", sample_pdf(f"Hop dong {n}"))
           for n in range(3)]
    r = _together(world, customer, ids, level="B-T", reason="Đồng ý")
    assert r.status_code == 201, r.text
    tx = r.json()["transaction"]
    assert tx["kind"] == "sign_documents"
    assert tx["details"]["document_ids"].split("\n") == ids
    assert "Ký số 3 tài liệu" in tx["details"]["description"]
    assert all(f"hopdong-{n}.pdf" in tx["details"]["files_sha256"] for n in range(3))
    assert {d["status"] for d in r.json()["documents"]} == {"pending"}
    assert _together(world, customer, ids).status_code == 409  # no longer drafts

    assert customer.confirm(tx).status_code == 200
    for n, document_id in enumerate(ids):
        signed = tmp_path / f"{n}.pdf"
        signed.write_bytes(customer.get(f"/documents/{document_id}/download").content)
        [verdict] = pdfsig(world.nss_db(), signed)
        assert verdict["Signature Validation"] == "Signature is Valid.", verdict
        assert customer.validate(signed.read_bytes())["valid"]
    balance = world.container.quotas.balance(customer.credential.id)
    assert (balance.available, balance.consumed) == (0, 3)


def test_a_batch_needs_a_signature_for_each_and_drafts_only(world: World) -> None:
    customer = world.customer("Phan Văn Đủ", signatures=1)
    ids = [_draft(world, customer, f"a{n}.pdf", sample_pdf(f"A {n}")) for n in range(2)]
    short = _together(world, customer, ids)
    assert short.status_code == 409 and short.json()["error"] == "out_of_signatures"
    assert _together(world, customer, ids[:1]).status_code == 400  # one is not a batch
    assert _together(world, customer, [ids[0], ids[0]]).status_code == 400
    stranger = world.customer("Người Lạ")
    assert _together(world, stranger, ids).status_code == 404  # not theirs
