"""pdfsig (poppler over NSS) checks the signer's certificate online: it asks kyso's OCSP
responder (over GET first, where the answer is pre-produced and cacheable, RFC 5019). A
good certificate is trusted; once revoked — the stored answer for it notwithstanding — pdfsig
says so (the server's request counter shows the GETs)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

from kyso.adapters.metrics import REQUESTS
from kyso.pki.model import RevocationReason
from tests.integration.documents.conftest import World, open_world
from tests.integration.documents.oracles import needs_tools, pdfsig
from tests.integration.documents.pdfs import sample_pdf


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("pdfsig-ocsp"), stack)


@needs_tools
def test_pdfsig_sees_good_then_revoked_through_the_cached_responder(world: World,
                                                                     tmp_path: Path) -> None:
    customer = world.customer("Trần Thị Bình")
    pdf = tmp_path / "signed.pdf"
    pdf.write_bytes(customer.sign(sample_pdf("Hợp đồng"), level="B-B"))
    before = _ocsp_gets()
    for _ in range(2):  # the second time from the pre-produced answer
        [verdict] = pdfsig(world.nss_db(), pdf)
        assert verdict["Signature Validation"] == "Signature is Valid."
        assert verdict["Certificate Validation"] == "Certificate is Trusted."
    assert _ocsp_gets() >= before + 2  # pdfsig asked the responder by GET
    world.container.pki.revoke(customer.credential.certificate.serial,
                               RevocationReason.KEY_COMPROMISE, actor="test")
    [verdict] = pdfsig(world.nss_db(), pdf)
    assert verdict["Signature Validation"] == "Signature is Valid."
    assert verdict["Certificate Validation"] == "Certificate has been Revoked."


def _ocsp_gets() -> float:
    return sum(sample.value for metric in REQUESTS.collect() for sample in metric.samples
               if sample.name == "kyso_http_requests_total"
               and sample.labels.get("method") == "GET"
               and sample.labels.get("route", "").startswith("/pki/ocsp/"))
