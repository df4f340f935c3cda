"""CSC ``signatures/signDoc`` knows the document: the signature gets a public record and a
signing receipt, like a document signed in the app (issue 16 item 3)."""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest
from asn1crypto import cms, pem

from kyso.keys.model import KeyAlgorithm
from kyso.signing.receipts import ReceiptPending
from tests.integration.csc.conftest import World
from tests.integration.csc.helpers import ECDSA_SHA256
from tests.integration.csc.pyhanko_client import small_pdf
from tests.integration.csc.test_csc_sign_doc import sign_doc


def test_sign_doc_keeps_a_record_and_a_receipt(world: World, tmp_path: Path) -> None:
    signer = world.customer(KeyAlgorithm.EC_P256)
    pdf = small_pdf(b"Hop dong ky qua signDoc, co bien nhan")
    sad = signer.authorize([hashlib.sha256(pdf).digest()])
    r = sign_doc(signer, sad, pdf, signAlgo=ECDSA_SHA256, conformance_level="Ades-B-T")
    assert r.status_code == 200, r.text
    signed = base64.b64decode(r.json()["DocumentWithSignature"][0])
    [record] = world.container.receipts.for_account(signer.account_id)
    assert r.json()["receiptIDs"] == [record.id]
    # made off the request: pending until the worker's pass makes it
    assert record.receipt_sha256 is None
    with pytest.raises(ReceiptPending):
        world.container.receipts.receipt(signer.account_id, record.id)
    world.container.outbox_worker().run_once()
    assert record.signed_sha256 == hashlib.sha256(signed).hexdigest()
    assert record.sha256 == hashlib.sha256(pdf).hexdigest() and record.document_id is None
    assert record.level == "B-T" and record.timestamp_at is not None
    assert record.relying_party == "CSC API"
    _, der = world.container.receipts.receipt(signer.account_id, record.id)
    content = cms.ContentInfo.load(der)["content"]["encap_content_info"]["content"].native
    claims = json.loads(content)
    assert claims["challenge"]["kind"] == "csc_sad"
    assert claims["challenge"]["sad_sha256"] == hashlib.sha256(sad.encode()).hexdigest()
    if shutil.which("openssl") is None:
        pytest.fail("openssl is needed: run scripts/system-deps.sh")
    root = tmp_path / "root.pem"
    root.write_bytes(pem.armor("CERTIFICATE",
                               world.container.pki_publisher.ca_certificate("root")))
    (tmp_path / "r.p7m").write_bytes(der)
    done = subprocess.run(["openssl", "cms", "-verify", "-inform", "DER", "-in",
                           str(tmp_path / "r.p7m"), "-CAfile", str(root), "-purpose", "any",
                           "-attime", str(int(world.clock.now().timestamp()) + 5),
                           "-out", "/dev/null"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    page = world.client.get(f"/v/{record.id}")
    assert page.status_code == 200 and "Chữ ký hợp lệ" in page.text
