"""Detached CAdES (``.p7s``) over any file, checked by ``openssl cms -verify``."""

from __future__ import annotations

import os
from urllib.parse import unquote

import pytest
from asn1crypto import cms

from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.oracles import needs_tools, openssl_cms_verify


def _sign(world: World, customer: Customer, content: bytes, level: str) -> bytes:
    r = world.client.post("/api/v1/documents", params={"format": "cades", "level": level},
                          files={"file": ("bảng lương.xlsx", content, "application/octet-stream")},
                          headers=customer.headers)
    assert r.status_code == 201, r.text
    assert r.json()["transaction"]["details"]["format"] == "CAdES"  # as the customer reads it
    assert customer.confirm(r.json()["transaction"]).status_code == 200
    got = customer.get(f"/documents/{r.json()['id']}/download")
    assert got.status_code == 200
    assert got.headers["content-type"] == "application/pkcs7-signature"
    assert unquote(got.headers["content-disposition"]).endswith("bảng lương.xlsx.p7s")
    return got.content


@needs_tools
@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_openssl_verifies_the_detached_signature(world: World, customer: Customer,
                                                 level: str) -> None:
    content = os.urandom(50_000) + "Bảng lương tháng 11".encode()
    signature = _sign(world, customer, content, level)
    (world.files / "payroll.xlsx").write_bytes(content)
    (world.files / "payroll.p7s").write_bytes(signature)
    done = openssl_cms_verify(world.files / "payroll.p7s", world.files / "payroll.xlsx",
                              world.root_pem(), world.clock.now())
    assert done.returncode == 0 and "Verification successful" in done.stderr, done.stderr
    signer = cms.ContentInfo.load(signature)["content"]["signer_infos"][0]
    unsigned = signer["unsigned_attrs"].native or []
    has_stamp = any(a["type"] == "signature_time_stamp_token" for a in unsigned)
    assert has_stamp == (level == "B-T")
    assert cms.ContentInfo.load(signature)["content"]["encap_content_info"]["content"].native \
        is None  # detached


@needs_tools
def test_openssl_refuses_other_content(world: World, customer: Customer) -> None:
    content = b"Hop dong nguyen ban"
    signature = _sign(world, customer, content, "B-B")
    (world.files / "changed.txt").write_bytes(b"Hop dong da sua")
    (world.files / "changed.p7s").write_bytes(signature)
    done = openssl_cms_verify(world.files / "changed.p7s", world.files / "changed.txt",
                              world.root_pem(), world.clock.now())
    assert done.returncode != 0 and "Verification successful" not in done.stderr
