"""XAdES (enveloped, B-B, B-T, B-LT) on a Vietnamese e-invoice through the REST API and the
SmartOTP confirmation, checked by ``xmlsec1 --verify`` (kyso's root as the only trusted
certificate), ``openssl ts -verify`` and signxml's XAdES verifier; hostile XML refused."""

from __future__ import annotations

import base64
import hashlib
import subprocess
from datetime import datetime
from typing import Any
from urllib.parse import unquote

import pytest
from asn1crypto import crl, ocsp
from asn1crypto import x509 as asn1_x509
from lxml import etree
from signxml.xades import XAdESVerifier

from kyso.keys.model import KeyAlgorithm
from kyso.pki.model import AuthorityRole, RevocationReason
from kyso.pki.service import IssueRequest
from tests.integration.documents.conftest import Customer, World
from tests.integration.documents.xml_oracles import (
    INVOICE,
    XADES141,
    archive_imprint,
    needs_xmlsec1,
    one,
    openssl_ts_verify,
    openssl_ts_verify_digest,
    signatures,
    texts,
    write_pems,
    xadesjs_verify,
    xmlsec1_verify,
)
from tests.quota import give_signatures

TAX_FORM = ("<?xml version='1.0' encoding='UTF-8'?>\n<TKhai><TTChung><TenTKhai>Tờ khai thuế "
            "giá trị gia tăng</TenTKhai><KyKKhai>11/2026</KyKKhai></TTChung><CTieuTKhai>"
            "<ct23>3500000</ct23><ct24>350000</ct24></CTieuTKhai></TKhai>").encode()


def _upload(customer: Customer, xml: bytes, level: str, **params: Any) -> dict[str, Any]:
    r = customer.world.client.post(
        "/api/v1/documents", params={"format": "xades", "level": level} | params,
        files={"file": ("hóa đơn K26TAA-123.xml", xml, "application/xml")},
        headers=customer.headers)
    assert r.status_code == 201, r.text
    return dict(r.json())


def _sign(customer: Customer, xml: bytes, level: str) -> bytes:
    uploaded = _upload(customer, xml, level)
    details = uploaded["transaction"]["details"]
    assert details["format"] == "XAdES" and details["level"] == level  # bound to the code
    assert details["sha256"] == hashlib.sha256(xml).hexdigest()
    assert customer.confirm(uploaded["transaction"]).status_code == 200
    got = customer.get(f"/documents/{uploaded['id']}/download")
    assert got.status_code == 200, got.text
    assert got.headers["content-type"].startswith("application/xml")
    assert unquote(got.headers["content-disposition"]).endswith("hóa đơn K26TAA-123-signed.xml")
    return got.content


def _verified(world: World, signed: bytes, name: str) -> None:
    path = world.files / name
    path.write_bytes(signed)
    done = xmlsec1_verify(path, world.root_pem(), world.clock.now())
    assert done.returncode == 0, done.stderr
    assert "SignedInfo References (ok/all): 3/3" in done.stderr, done.stderr


def _chain(world: World) -> list[bytes]:
    """The TSA's certificate and the CAs below the root (``-untrusted`` for openssl ts)."""
    return [a.certificate for a in world.container.pki.authorities()
            if a.role in (AuthorityRole.TSA, AuthorityRole.ISSUING)]


@needs_xmlsec1
@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_xmlsec1_verifies_the_signed_invoice(world: World, customer: Customer,
                                             level: str) -> None:
    original = INVOICE.read_bytes()
    signed = _sign(customer, original, level)
    _verified(world, signed, f"invoice-{level}.xml")
    root = etree.fromstring(signed)
    [signature] = signatures(root)
    assert signature.getparent() is root.find("DSCKS/NBan")  # the seller's place
    assert one(signature, "ds:SignedInfo/ds:Reference[1]").get("URI") == \
        "#DLHDon-K26TAA-0000123"
    before = etree.fromstring(original).find("DLHDon")
    assert etree.tostring(root.find("DLHDon"), method="c14n") == \
        etree.tostring(before, method="c14n")  # the invoice itself unchanged
    leaf = customer.credential.chain[0]
    [cert_digest] = texts(signature, ".//xades:SigningCertificateV2/xades:Cert/"
                                     "xades:CertDigest/ds:DigestValue")
    assert cert_digest == hashlib.sha256(leaf).digest()
    when = one(signature, ".//xades:SigningTime").text or ""
    assert datetime.fromisoformat(when) == world.clock.now()
    stamps = signature.xpath(".//xades:SignatureTimeStamp", namespaces={"xades": _XADES})
    assert len(stamps) == (0 if level == "B-B" else 1)
    if level != "B-B":
        untrusted = write_pems(world.files / "tsa-chain.pem", _chain(world))
        out = openssl_ts_verify(signature, world.files, world.root_pem(), untrusted)
        assert "Verification: OK" in out, out
    if level in ("B-LT", "B-LTA"):
        _long_term_values(world, signature, leaf)
    archives = signature.xpath(".//xades141:ArchiveTimeStamp",
                               namespaces={"xades141": XADES141})
    assert len(archives) == (1 if level == "B-LTA" else 0)
    if level == "B-LTA":  # the last property, over the signature and all its values
        assert archives[0].getnext() is None
        digest, token = archive_imprint(signed, leaf)
        untrusted = write_pems(world.files / "tsa-chain.pem", _chain(world))
        out = openssl_ts_verify_digest(token, digest, world.files, world.root_pem(), untrusted)
        assert "Verification: OK" in out, out
        changed = openssl_ts_verify_digest(token, hashlib.sha256(b"x").hexdigest(),
                                           world.files, world.root_pem(), untrusted)
        assert "Verification: OK" not in changed  # the oracle can fail
    # second opinions: xadesjs (Node, WebCrypto) and signxml's XAdES verifier
    if level == "B-LTA":  # xadesjs 2 knows XAdES 1.3.2 only: it refuses to load a 1.4.1
        with pytest.raises(subprocess.CalledProcessError) as failed:  # ArchiveTimeStamp
            xadesjs_verify(world.files / f"invoice-{level}.xml")
        assert "Malformed element 'ArchiveTimeStamp'" in str(failed.value.stderr)
        for stamp in archives:  # so it checks the signature without the unsigned stamp
            stamp.getparent().remove(stamp)
        (world.files / f"invoice-{level}.xml").write_bytes(etree.tostring(root))
    [js] = xadesjs_verify(world.files / f"invoice-{level}.xml")
    assert js["valid"] is True, js
    assert js["certDigest"] == base64.b64encode(hashlib.sha256(leaf).digest()).decode()
    assert datetime.fromisoformat(str(js["signingTime"])) == world.clock.now()
    assert js["timestamps"] == (0 if level == "B-B" else 1)
    verified = XAdESVerifier().verify(signed, x509_cert=_pem(leaf), expect_references=3)
    assert len(verified) == 3


_XADES = "http://uri.etsi.org/01903/v1.3.2#"


def _pem(der: bytes) -> str:
    return "-----BEGIN CERTIFICATE-----\n" + base64.encodebytes(der).decode() + \
        "-----END CERTIFICATE-----\n"


def _long_term_values(world: World, signature: etree._Element, leaf: bytes) -> None:
    """B-LT: the root and the TSA's certificates, a good OCSP answer for the signer's
    certificate and a CRL of the issuing CA, all in the signature."""
    certs = {asn1_x509.Certificate.load(d).subject.human_friendly
             for d in texts(signature, ".//xades:CertificateValues/"
                                       "xades:EncapsulatedX509Certificate")}
    root = asn1_x509.Certificate.load(world.container.pki_publisher.ca_certificate("root"))
    assert root.subject.human_friendly in certs
    answers = [ocsp.OCSPResponse.load(d) for d in
               texts(signature, ".//xades:OCSPValues/xades:EncapsulatedOCSPValue")]
    serial = asn1_x509.Certificate.load(leaf).serial_number
    statuses = {r["cert_id"]["serial_number"].native: r["cert_status"].name
                for a in answers
                for r in a.basic_ocsp_response["tbs_response_data"]["responses"]}
    assert statuses.get(serial) == "good", statuses
    lists = [crl.CertificateList.load(d) for d in
             texts(signature, ".//xades:CRLValues/xades:EncapsulatedCRLValue")]
    assert lists and all(c.issuer for c in lists)


@needs_xmlsec1
def test_an_ec_key_signs_at_b_t(world: World) -> None:
    customer = world.customer("Lê Thị Hoa")
    cert = world.container.pki.issue(IssueRequest(
        account=customer.account_id, province="Đà Nẵng", locality="Hải Châu",
        algorithm=KeyAlgorithm.EC_P256), actor="test")
    give_signatures(world.container, cert, 5)
    ec = next(c for c in world.container.signing.credentials(customer.account_id)
              if c.key.algorithm is KeyAlgorithm.EC_P256)
    r = world.client.post("/api/v1/documents", params={
        "format": "xades", "level": "B-T", "credential": ec.id},
        content=TAX_FORM, headers=customer.headers | {"Content-Type": "text/xml"})
    assert r.status_code == 201, r.text
    assert customer.confirm(r.json()["transaction"]).status_code == 200
    signed = customer.get(f"/documents/{r.json()['id']}/download").content
    _verified(world, signed, "tax-form-ec.xml")
    root = etree.fromstring(signed)
    [signature] = signatures(root)
    assert signature.getparent() is root  # the whole document: the root's last child
    assert one(signature, "ds:SignedInfo/ds:Reference[1]").get("URI") == ""
    assert one(signature, "ds:SignedInfo/ds:SignatureMethod").get("Algorithm").endswith(
        "ecdsa-sha256")
    [js] = xadesjs_verify(world.files / "tax-form-ec.xml")
    assert js["valid"] is True, js


@needs_xmlsec1
def test_xmlsec1_refuses_a_changed_invoice(world: World, customer: Customer) -> None:
    signed = _sign(customer, INVOICE.read_bytes(), "B-B")
    changed = signed.replace(b"3850000", b"3050000")
    path = world.files / "changed.xml"
    path.write_bytes(changed)
    done = xmlsec1_verify(path, world.root_pem(), world.clock.now())
    assert done.returncode != 0
    [js] = xadesjs_verify(path)
    assert js["valid"] is False and "Invalid digest" in str(js["error"])


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<HDon><DLHDon Id="a">&lol3;</DLHDon></HDon>"""
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE HDon [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><HDon>&xxe;</HDon>"""
EXTERNAL_DTD = b"""<?xml version="1.0"?>
<!DOCTYPE HDon SYSTEM "http://127.0.0.1:9/evil.dtd"><HDon/>"""
UNDECLARED = b"<HDon>&nbsp;</HDon>"
PI = b"<?xml version='1.0'?><?xml-stylesheet href='http://127.0.0.1:9/x.xsl'?><HDon/>"
HOSTILE = [(BILLION_LAUGHS, "unsafe_xml"), (XXE, "unsafe_xml"), (EXTERNAL_DTD, "unsafe_xml"),
           (PI, "unsafe_xml"), (UNDECLARED, "not_xml"), (b"%PDF-1.7 not xml", "not_xml"),
           (b"<a><b></a>", "not_xml"), (b"\xff\xfe<\x00a\x00>\x00\xd8\x00", "not_xml"),
           (b"<a>" * 200 + b"</a>" * 200, "unsafe_xml")]


@pytest.mark.parametrize(("xml", "code"), HOSTILE,
                         ids=["billion-laughs", "xxe", "external-dtd", "stylesheet-pi",
                              "undeclared-entity", "pdf", "unclosed", "bad-utf16", "deep"])
def test_hostile_xml_is_refused_before_any_transaction(world: World, customer: Customer,
                                                       xml: bytes, code: str) -> None:
    r = world.client.post("/api/v1/documents", params={"format": "xades"},
                          content=xml, headers=customer.headers | {
                              "Content-Type": "application/xml", "Accept-Language": "vi"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == code
    assert "XML" in r.json()["error_description"]  # a Vietnamese sentence, no parser text
    assert "lol" not in r.text and "passwd" not in r.text
    with world.container.uow() as uow:
        events = [r.event for r in uow.audit.records()
                  if r.event.action == "document.unsafe_xml"
                  and r.event.details.get("sha256") == hashlib.sha256(xml).hexdigest()]
    assert len(events) == (1 if code == "unsafe_xml" else 0)  # a security event, no content


def test_xades_levels(world: World, customer: Customer) -> None:
    r = world.client.post("/api/v1/documents", params={"format": "xades", "visible": "true"},
                          content=INVOICE.read_bytes(),
                          headers=customer.headers | {"Content-Type": "application/xml"})
    assert r.status_code == 400


def _validate(customer: Customer, data: bytes) -> dict[str, Any]:
    r = customer.world.client.post("/api/v1/validate", content=data,
                                   headers=customer.headers | {"Content-Type": "application/xml"})
    assert r.status_code == 200, r.text
    return dict(r.json())


@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_kyso_validates_its_xml_signatures(world: World, customer: Customer,
                                           level: str) -> None:
    signed = _sign(customer, INVOICE.read_bytes(), level)
    report = _validate(customer, signed)
    assert report["valid"] is True, report
    [s] = report["signatures"]
    assert (s["integrity"], s["trusted"], s["revocation"], s["level"]) == \
        ("intact", True, "good", level)
    assert s["signer"] == "Nguyễn Văn An" and s["entire_document"] is False
    assert datetime.fromisoformat(s["signing_time"]) == world.clock.now()
    assert (s["timestamp"] is None) == (level == "B-B")
    assert s["timestamp_trusted"] is (None if level == "B-B" else True)
    assert s["level_reason"] == {"B-B": "no_timestamp", "B-T": "signature_timestamp",
                                 "B-LT": "certificate_and_revocation_values",
                                 "B-LTA": "archive_timestamp"}[level]
    changed = _validate(customer, signed.replace(b"3850000", b"3050000"))
    assert changed["valid"] is False and changed["signatures"][0]["integrity"] == "tampered"
    if level == "B-LTA":  # a changed validation value breaks the archive time stamp only
        root = etree.fromstring(signed)
        ocsp_value = root.xpath(".//xades:EncapsulatedOCSPValue", namespaces={
            "xades": _XADES})[0]
        ocsp_value.text = (ocsp_value.text or "").replace("\n", "") + "\n"
        edited = _validate(customer, etree.tostring(root, xml_declaration=True,
                                                    encoding="UTF-8"))
        [e] = edited["signatures"]
        assert (e["valid"], e["integrity"], e["level"]) == (False, "intact", "B-LTA"), e


def test_a_revoked_signers_xml_signature_is_not_valid(world: World) -> None:
    signer = world.customer("Bùi Quang Huy")
    signed = _sign(signer, INVOICE.read_bytes(), "B-B")
    world.container.pki.revoke(signer.credential.certificate.serial,
                               RevocationReason.KEY_COMPROMISE, actor="test")
    [s] = _validate(signer, signed)["signatures"]
    assert (s["valid"], s["integrity"], s["revocation"]) == (False, "intact", "revoked")


def test_an_unsigned_xml_has_no_signature(customer: Customer) -> None:
    report = _validate(customer, INVOICE.read_bytes())
    assert report["valid"] is False and report["signatures"] == []


def test_validation_reads_the_dates_on_kysos_clock(world: World) -> None:
    """A certificate issued on kyso's clock, ahead of the machine's, is valid at kyso's now
    (signxml's own check of the dates would use the machine's and call it tampered)."""
    world.clock.advance(20 * 60)  # within the sessions' idle time
    signer = world.customer("Đỗ Minh Khang")
    report = _validate(signer, _sign(signer, INVOICE.read_bytes(), "B-T"))
    assert report["valid"] is True and report["signatures"][0]["integrity"] == "intact", report


def test_validate_refuses_hostile_xml(customer: Customer) -> None:
    r = customer.world.client.post("/api/v1/validate", content=BILLION_LAUGHS,
                                   headers=customer.headers | {"Content-Type": "text/xml"})
    assert r.status_code == 400 and r.json()["error"] == "unsafe_xml"


def test_the_server_never_parses_an_uploaded_xml_to_check_or_validate_it(
        customer: Customer, monkeypatch: pytest.MonkeyPatch) -> None:
    """The safe reader broken in the server process: the sandbox's children still refuse a
    bomb at upload, admit an invoice, and validate a signed one."""
    from kyso.signing import xades_validation, xml_input

    signed = _sign(customer, INVOICE.read_bytes(), "B-T")

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("the server parsed an uploaded XML")

    monkeypatch.setattr(xml_input, "parse_xml", refuse)
    monkeypatch.setattr(xades_validation, "parse_xml", refuse)
    assert _validate(customer, signed)["valid"] is True
    assert _validate(customer, signed.replace(b"3850000", b"3050000"))["valid"] is False
    headers = customer.headers | {"Content-Type": "application/xml"}
    bomb = customer.world.client.post("/api/v1/documents", params={"format": "xades"},
                                      content=BILLION_LAUGHS, headers=headers)
    assert bomb.status_code == 400 and bomb.json()["error"] == "unsafe_xml"
    assert customer.upload(INVOICE.read_bytes(), "application/xml",
                           format="xades").status_code == 201
    with pytest.raises(AssertionError):  # the patch was in force
        xades_validation.parse_xml(signed)


def test_an_ambiguous_invoice_id_signs_the_whole_document(customer: Customer) -> None:
    twice = INVOICE.read_bytes().replace(
        b"<NDHDon>", b'<NDHDon><Ghi Id="DLHDon-K26TAA-0000123"/>')  # a second element, same Id
    signed = _sign(customer, twice, "B-B")
    [signature] = signatures(etree.fromstring(signed))
    assert one(signature, "ds:SignedInfo/ds:Reference[1]").get("URI") == ""
    assert _validate(customer, signed)["valid"] is True
