"""Hostile XML: what makes an XML reader hang, exhaust memory or reach outside.

:data:`CORPUS` maps a name to a builder and the refusal it must get (``unsafe_xml`` or
``not_xml``). :func:`reference_bomb` is a well-formed, correctly signed XML-DSig document
whose one signature has thousands of references to a large element: every reference makes
a verifier copy, search and canonicalize the document again, so validating it costs
``references × size`` — minutes of CPU in a few megabytes, with nothing a parser refuses.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Callable
from datetime import UTC, datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from lxml import etree

__all__ = ["CORPUS", "reference_bomb"]

DS = "http://www.w3.org/2000/09/xmldsig#"


def _billion_laughs() -> bytes:
    entities = ['<!ENTITY l0 "lol">'] + [
        f'<!ENTITY l{n} "{f"&l{n - 1};" * 10}">' for n in range(1, 10)]
    return (f'<?xml version="1.0"?><!DOCTYPE HDon [{"".join(entities)}]>'
            '<HDon><DLHDon Id="a">&l9;</DLHDon></HDon>').encode()


def _quadratic_blowup() -> bytes:
    """One 50 kB entity used 5,000 times: 250 MB once expanded, no nesting to detect."""
    return (b'<?xml version="1.0"?><!DOCTYPE HDon [<!ENTITY a "' + b"A" * 50_000 + b'">]>'
            b"<HDon>" + b"&a;" * 5_000 + b"</HDon>")


CORPUS: dict[str, tuple[Callable[[], bytes], str]] = {
    "billion-laughs": (_billion_laughs, "unsafe_xml"),
    "quadratic-blowup": (_quadratic_blowup, "unsafe_xml"),
    "xxe-file": (lambda: b'<?xml version="1.0"?><!DOCTYPE HDon [<!ENTITY x SYSTEM '
                         b'"file:///etc/passwd">]><HDon>&x;</HDon>', "unsafe_xml"),
    "xxe-parameter": (lambda: b'<?xml version="1.0"?><!DOCTYPE HDon [<!ENTITY % p SYSTEM '
                              b'"http://127.0.0.1:9/p.dtd">%p;]><HDon/>', "unsafe_xml"),
    "external-dtd": (lambda: b'<!DOCTYPE HDon SYSTEM "http://127.0.0.1:9/e.dtd"><HDon/>',
                     "unsafe_xml"),
    "stylesheet-pi": (lambda: b"<?xml-stylesheet href='http://127.0.0.1:9/x.xsl'?><HDon/>",
                      "unsafe_xml"),
    "pi-inside": (lambda: b"<HDon><?php system('id') ?></HDon>", "unsafe_xml"),
    "depth-100k": (lambda: b"<a>" * 100_000 + b"</a>" * 100_000, "unsafe_xml"),
    "depth-65": (lambda: b"<a>" * 65 + b"</a>" * 65, "unsafe_xml"),
    "elements-150k": (lambda: b"<a>" + b"<b/>" * 150_000 + b"</a>", "unsafe_xml"),
    "attributes-300": (lambda: b"<a " + b" ".join(b'x%d="1"' % n for n in range(300))
                       + b"/>", "unsafe_xml"),
    "attributes-100k": (lambda: b"<a " + b" ".join(b'x%d="1"' % n for n in range(100_000))
                        + b"/>", "unsafe_xml"),
    "text-11mb": (lambda: b"<a>" + b"x" * 11_000_000 + b"</a>", "unsafe_xml"),
    "name-11mb": (lambda: b"<" + b"a" * 11_000_000 + b"/>", "unsafe_xml"),
    "undeclared-entity": (lambda: b"<HDon>&nbsp;</HDon>", "not_xml"),
    "unclosed": (lambda: b"<a><b></a>", "not_xml"),
    "two-roots": (lambda: b"<a/><b/>", "not_xml"),
}


def _key_and_cert() -> tuple[rsa.RSAPrivateKey, x509.Certificate]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Kẻ tấn công")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(datetime(2020, 1, 1, tzinfo=UTC))
            .not_valid_after(datetime(2099, 1, 1, tzinfo=UTC))
            .sign(key, hashes.SHA256()))
    return key, cert


def reference_bomb(size: int, references: int) -> bytes:
    """A signed document of about ``size`` bytes of content whose signature has
    ``references`` references to it, each with the right digest (so a verifier works
    through all of them)."""
    key, cert = _key_and_cert()
    root = etree.Element("HDon")
    big = etree.SubElement(root, "DLHDon", Id="big")
    for n in range(max(size // 100_000, 1)):
        etree.SubElement(big, "DSHHDVu", STT=str(n)).text = "x" * 100_000
    digest = base64.b64encode(hashlib.sha256(etree.tostring(big, method="c14n")).digest())
    signature = etree.SubElement(root, f"{{{DS}}}Signature", nsmap={"ds": DS})
    info = etree.SubElement(signature, f"{{{DS}}}SignedInfo")
    etree.SubElement(info, f"{{{DS}}}CanonicalizationMethod",
                     Algorithm="http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
    etree.SubElement(info, f"{{{DS}}}SignatureMethod",
                     Algorithm="http://www.w3.org/2001/04/xmldsig-more#rsa-sha256")
    for _ in range(references):
        reference = etree.SubElement(info, f"{{{DS}}}Reference", URI="#big")
        etree.SubElement(reference, f"{{{DS}}}DigestMethod",
                         Algorithm="http://www.w3.org/2001/04/xmlenc#sha256")
        etree.SubElement(reference, f"{{{DS}}}DigestValue").text = digest.decode()
    value = etree.SubElement(signature, f"{{{DS}}}SignatureValue")
    key_info = etree.SubElement(etree.SubElement(signature, f"{{{DS}}}KeyInfo"),
                                f"{{{DS}}}X509Data")
    etree.SubElement(key_info, f"{{{DS}}}X509Certificate").text = base64.b64encode(
        cert.public_bytes(serialization.Encoding.DER)).decode()
    alone = etree.fromstring(etree.tostring(signature))  # what a verifier canonicalizes
    signed_info = etree.tostring(alone.find(f"{{{DS}}}SignedInfo"), method="c14n")
    value.text = base64.b64encode(key.sign(signed_info, padding.PKCS1v15(),
                                           hashes.SHA256())).decode()
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
