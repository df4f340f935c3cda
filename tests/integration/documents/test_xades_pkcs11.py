"""XAdES with keys in a PKCS#11 token (SoftHSM2): an EC P-256 key signs the e-invoice at B-LT
through raw ``CKM_ECDSA`` (the DER signature turned into XML-DSig's ``r||s`` by signxml), and
an RSA key at B-T; ``xmlsec1 --verify`` and xadesjs accept both."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest
from pydantic import SecretStr

from kyso.keys.model import KeyAlgorithm
from kyso.pki.service import IssueRequest
from tests.integration.documents.conftest import World, open_world
from tests.integration.documents.xml_oracles import (
    INVOICE,
    needs_xmlsec1,
    xadesjs_verify,
    xmlsec1_verify,
)
from tests.quota import give_signatures
from tests.softhsm import SoftHsm


@pytest.fixture(scope="module")
def hsm_world(softhsm: SoftHsm, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with ExitStack() as stack:
        yield open_world(tmp_path_factory.mktemp("xades-pkcs11"), stack,
                         keystore_backend="pkcs11", pkcs11_module=softhsm.module,
                         pkcs11_token_label=softhsm.pki_token,
                         pkcs11_user_pin=SecretStr(softhsm.pki_pin))


@needs_xmlsec1
@pytest.mark.parametrize(("algorithm", "level"), [(KeyAlgorithm.EC_P256, "B-LT"),
                                                  (KeyAlgorithm.RSA_2048, "B-T")],
                         ids=["ec-B-LT", "rsa-B-T"])
def test_a_token_key_signs_the_invoice(hsm_world: World, algorithm: KeyAlgorithm,
                                       level: str) -> None:
    world = hsm_world
    customer = world.customer("Đặng Minh Khoa", signatures=0)
    cert = world.container.pki.issue(IssueRequest(
        account=customer.account_id, province="Cần Thơ", locality="Ninh Kiều",
        algorithm=algorithm), actor="test")
    give_signatures(world.container, cert, 5)
    credential = next(c for c in world.container.signing.credentials(customer.account_id)
                      if c.certificate.serial == cert.serial)  # not the first, empty one
    assert credential.key.algorithm is algorithm
    assert credential.key.backend == "pkcs11"
    r = world.client.post("/api/v1/documents", params={
        "format": "xades", "level": level, "credential": credential.id},
        content=INVOICE.read_bytes(), headers=customer.headers | {"Content-Type": "text/xml"})
    assert r.status_code == 201, r.text
    assert customer.confirm(r.json()["transaction"]).status_code == 200
    signed = customer.get(f"/documents/{r.json()['id']}/download").content
    path = world.files / f"hsm-{algorithm.value}.xml"
    path.write_bytes(signed)
    done = xmlsec1_verify(path, world.root_pem(), world.clock.now())
    assert done.returncode == 0 and "References (ok/all): 3/3" in done.stderr, done.stderr
    [js] = xadesjs_verify(path)
    assert js["valid"] is True, js
