"""Enveloped XAdES baseline signatures (ETSI EN 319 132-1): B-B, B-T and B-LT.

The structure is signxml's (:class:`signxml.xades.XAdESSigner`: ``ds:SignedInfo`` with a
reference to the content, to the ``xades:SignedProperties`` and to ``ds:KeyInfo``;
``SigningTime``, ``SigningCertificateV2``, ``DataObjectFormat``). signxml asks a private-key
object to sign the canonical ``SignedInfo``; kyso hands it :class:`_PortKey`, which hashes
those bytes and asks the SAD-checked path for one raw signature over the digest (the key
never leaves kyso's key store; ECDSA comes back DER and signxml re-encodes it as ``r||s``).
So the choice is: signxml builds, canonicalizes and serializes; kyso's key port signs.

Where the signature goes: a Vietnamese e-invoice (``HDon`` with ``DLHDon Id=…`` and
``DSCKS``, the General Department of Taxation's layout) is signed as the seller does — the
reference is ``#<DLHDon's Id>`` and the signature sits in ``DSCKS/NBan``, so the buyer's and
the tax authority's later signatures do not break it. Any other document: the whole
document (``URI=""``, enveloped-signature transform), the signature as the root's last child.

B-T adds ``xades:SignatureTimeStamp`` (kyso's TSA, over the canonical ``ds:SignatureValue``,
inclusive C14N 1.0). B-LT then validates the signer's and the TSA's chains against kyso's
root with fresh answers from kyso's OCSP responder and CRLs (hard-fail) and writes
``xades:CertificateValues`` and ``xades:RevocationValues``. B-LTA then adds
``xades141:ArchiveTimeStamp`` (ETSI EN 319 132-1 §5.5.2): kyso's TSA over the SHA-256 of
:func:`archive_input` — each reference's data after its transforms, the canonical
``ds:SignedInfo``, ``ds:SignatureValue`` and ``ds:KeyInfo``, and each unsigned signature
property before it (the signature time stamp and the B-LT values), C14N 1.0. The data of
each reference is computed here and checked against its ``ds:DigestValue`` first, so the
archive time stamp covers exactly what the signature signed.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from asn1crypto import cms
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from lxml import etree
from pyhanko_certvalidator import CertificateValidator
from signxml.algorithms import CanonicalizationMethod, DigestAlgorithm, SignatureMethod
from signxml.xades.xades import XAdESDataObjectFormat, XAdESSigner

from kyso.keys.model import KeyAlgorithm, KeyFamily
from kyso.signing.cms import RawSign, scheme_for
from kyso.signing.document import Level
from kyso.signing.document_errors import XadesLevelNotSupported
from kyso.signing.model import Credential
from kyso.signing.pades import run, translated
from kyso.signing.revinfo import KysoTrust
from kyso.signing.xml_input import parse_xml

__all__ = ["C14N", "LEVELS", "NS", "XadesEngine", "XadesSigned", "archive_input"]

DS = "http://www.w3.org/2000/09/xmldsig#"
XADES = "http://uri.etsi.org/01903/v1.3.2#"
XADES141 = "http://uri.etsi.org/01903/v1.4.1#"
NS = {"ds": DS, "xades": XADES, "xades141": XADES141}
C14N = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315"
LEVELS = (Level.B_B, Level.B_T, Level.B_LT, Level.B_LTA)
_ENVELOPED = "http://www.w3.org/2000/09/xmldsig#enveloped-signature"
_C14N_METHODS = {  # algorithm → (exclusive, with comments)
    C14N: (False, False),
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments": (False, True),
    "http://www.w3.org/2001/10/xml-exc-c14n#": (True, False),
    "http://www.w3.org/2001/10/xml-exc-c14n#WithComments": (True, True),
}


class _PortKey:
    """The two calls signxml makes on a private key, answered by kyso's signing path."""

    def __init__(self, raw_sign: RawSign, algorithm: KeyAlgorithm) -> None:
        self._raw_sign, self._algorithm = raw_sign, algorithm
        self.key_size = algorithm.key_size  # signxml sizes ECDSA's r and s by it

    def sign(self, data: bytes, padding: Any = None, algorithm: Any = None,
             signature_algorithm: Any = None) -> bytes:
        hash_ = algorithm if algorithm is not None else signature_algorithm.algorithm
        if self._algorithm.family is KeyFamily.RSA and not isinstance(padding, PKCS1v15):
            raise ValueError("kyso signs XML with RSA PKCS#1 v1.5")
        digest = hashlib.new(hash_.name, data).digest()
        return self._raw_sign(digest, scheme_for(self._algorithm, hash_.name))


class _Signer(XAdESSigner):
    """signxml's XAdES signer with kyso's clock and only the signer's certificate in
    ``SigningCertificateV2`` (the chain travels in ``ds:KeyInfo``)."""

    def __init__(self, at: datetime, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._at = at

    def add_signing_time(self, signed_signature_properties: Any, sig_root: Any,
                         signing_settings: Any) -> None:
        when = etree.SubElement(signed_signature_properties, f"{{{XADES}}}SigningTime",
                                nsmap=self.namespaces)
        when.text = self._at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

    def add_signing_certificate(self, signed_signature_properties: Any, sig_root: Any,
                                signing_settings: Any) -> None:
        leaf = replace(signing_settings, cert_chain=signing_settings.cert_chain[:1])
        super().add_signing_certificate(signed_signature_properties, sig_root, leaf)


@dataclass(frozen=True)
class XadesSigned:
    xml: bytes
    timestamp_at: datetime | None  # the signature time stamp's time (B-T and up)


class XadesEngine:
    def __init__(self, trust: KysoTrust) -> None:
        self._trust = trust

    def sign(self, data: bytes, credential: Credential, raw_sign: RawSign, level: Level,
             at: datetime) -> bytes:
        """``data`` (an XML document) with an enveloped XAdES signature at ``level``."""
        return self.signed(data, credential, raw_sign, level, at).xml

    def signed(self, data: bytes, credential: Credential, raw_sign: RawSign, level: Level,
               at: datetime) -> XadesSigned:
        """:meth:`sign`, with the signature time stamp's time (from B-T on)."""
        if level not in LEVELS:
            raise XadesLevelNotSupported()
        tree = parse_xml(data)
        where, uri = _place(tree)
        with translated():
            signed = self._signer(credential, at).sign(
                tree.getroot(),
                key=_PortKey(raw_sign, credential.key.algorithm),  # type: ignore[arg-type]  # duck-typed: signxml only calls .sign and .key_size
                cert=[x509.load_der_x509_certificate(d) for d in _key_info_chain(credential)],
                reference_uri=uri, always_add_key_value=False)
            [signature] = signed.getroottree().xpath(where)
            stamped_at = None
            if level.timestamped:
                token = self._timestamp(signature)
                stamped_at = _gen_time(token)
                if level.long_term:
                    run(self._long_term(signature, credential, token, at))
                if level is Level.B_LTA:
                    self._archive(signature)
        return XadesSigned(bytes(etree.tostring(signed.getroottree(), xml_declaration=True,
                                                encoding="UTF-8")), stamped_at)

    def _signer(self, credential: Credential, at: datetime) -> _Signer:
        rsa = credential.key.algorithm.family is KeyFamily.RSA
        return _Signer(at, signature_algorithm=SignatureMethod.RSA_SHA256 if rsa
                       else SignatureMethod.ECDSA_SHA256,
                       digest_algorithm=DigestAlgorithm.SHA256,
                       c14n_algorithm=CanonicalizationMethod.CANONICAL_XML_1_0,
                       data_object_format=XAdESDataObjectFormat(
                           Description="Tài liệu XML ký số bởi kyso", MimeType="text/xml"))

    def _timestamp(self, signature: etree._Element) -> cms.ContentInfo:
        value = _one(signature, "ds:SignatureValue")
        digest = hashlib.sha256(etree.tostring(value, method="c14n")).digest()
        token: cms.ContentInfo = run(self._trust.timestamper.async_timestamp(digest, "sha256"))
        stamp = _sub(_unsigned(signature), "xades:SignatureTimeStamp",
                     Id=f"{signature.get('Id')}-SignatureTimeStamp")
        _sub(stamp, "ds:CanonicalizationMethod", Algorithm=C14N)
        _sub(stamp, "xades:EncapsulatedTimeStamp").text = _b64(token.dump())
        return token

    def _archive(self, signature: etree._Element) -> None:
        """``xades141:ArchiveTimeStamp`` over the signature with its validation data."""
        digest = hashlib.sha256(archive_input(signature)).digest()
        token: cms.ContentInfo = run(self._trust.timestamper.async_timestamp(digest, "sha256"))
        stamp = etree.SubElement(_unsigned(signature), f"{{{XADES141}}}ArchiveTimeStamp",
                                 {"Id": f"{signature.get('Id')}-ArchiveTimeStamp"},
                                 nsmap={"xades141": XADES141})
        _sub(stamp, "ds:CanonicalizationMethod", Algorithm=C14N)
        _sub(stamp, "xades:EncapsulatedTimeStamp").text = _b64(token.dump())

    async def _long_term(self, signature: etree._Element, credential: Credential,
                         token: cms.ContentInfo, at: datetime) -> None:
        context = self._trust.context(at)
        chain = [asn1_x509.Certificate.load(d) for d in credential.chain]
        await CertificateValidator(chain[0], intermediate_certs=chain[1:],
                                   validation_context=context).async_validate_usage(  # type: ignore[no-untyped-call]  # pyhanko-certvalidator is untyped here
            set())
        tsa_certs = [c.chosen for c in token["content"]["certificates"]]
        tsa = _tsa_signer(tsa_certs)
        await CertificateValidator(tsa, intermediate_certs=tsa_certs + chain[1:],
                                   validation_context=context).async_validate_usage(  # type: ignore[no-untyped-call]  # untyped, as above
            set(), extended_key_usage={"time_stamping"})
        in_key_info = set(_key_info_chain(credential))
        extra = dict.fromkeys(c.dump() for c in [*chain, *tsa_certs, self._trust.root])
        unsigned = _unsigned(signature)
        values = _sub(unsigned, "xades:CertificateValues")
        for der in extra:
            if der not in in_key_info:
                _sub(values, "xades:EncapsulatedX509Certificate").text = _b64(der)
        revocation = _sub(unsigned, "xades:RevocationValues")
        crls = _sub(revocation, "xades:CRLValues")
        for der in dict.fromkeys(c.dump() for c in context.crls):
            _sub(crls, "xades:EncapsulatedCRLValue").text = _b64(der)
        ocsps = _sub(revocation, "xades:OCSPValues")
        for der in dict.fromkeys(o.dump() for o in context.ocsps):
            _sub(ocsps, "xades:EncapsulatedOCSPValue").text = _b64(der)


def archive_input(signature: etree._Element, until: etree._Element | None = None) -> bytes:
    """What an archive time stamp stamps (ETSI EN 319 132-1 §5.5.2.2, C14N 1.0): each
    ``ds:Reference``'s data after its transforms, in order; ``ds:SignedInfo``,
    ``ds:SignatureValue``, ``ds:KeyInfo``; each child of
    ``xades:UnsignedSignatureProperties`` before ``until`` (that archive time stamp; None:
    the next one); other ``ds:Object`` elements. A reference whose data does not match its
    digest raises ``ValueError``."""
    parts = [_reference_data(signature, r)
             for r in signature.xpath("ds:SignedInfo/ds:Reference", namespaces=NS)]
    for name in ("ds:SignedInfo", "ds:SignatureValue", "ds:KeyInfo"):
        parts += [_c14n(e) for e in signature.xpath(name, namespaces=NS)]
    for prop in signature.xpath("ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
                                "xades:UnsignedSignatureProperties/*", namespaces=NS):
        if prop is until:
            break
        parts.append(_c14n(prop))
    parts += [_c14n(e) for e in signature.xpath("ds:Object[not(xades:QualifyingProperties)]",
                                                namespaces=NS)]
    return b"".join(parts)


def _reference_data(signature: etree._Element, reference: etree._Element) -> bytes:
    """A reference's data after its transforms (the enveloped-signature transform and the
    canonicalizations kyso's signatures use), checked against its digest."""
    uri = reference.get("URI")
    transforms = reference.xpath("ds:Transforms/ds:Transform/@Algorithm", namespaces=NS)
    methods = [t for t in transforms if t in _C14N_METHODS]
    if any(t not in _C14N_METHODS and t != _ENVELOPED for t in transforms) or uri is None:
        raise ValueError("a reference kyso does not make")
    exclusive, comments = _C14N_METHODS[methods[-1] if methods else C14N]
    if uri == "":
        copy = etree.ElementTree(etree.fromstring(etree.tostring(signature.getroottree())))
        if _ENVELOPED in transforms:
            [own] = copy.xpath(_path(signature))
            own.getparent().remove(own)
        data = bytes(etree.tostring(copy, method="c14n", exclusive=exclusive,
                                    with_comments=comments))
    elif uri.startswith("#"):
        found = signature.getroottree().xpath(
            "//*[@*[local-name() = 'Id' or local-name() = 'ID' or local-name() = 'id'] = $v]",
            v=uri[1:])
        if not isinstance(found, list) or len(found) != 1:
            raise ValueError("a reference to no single element")
        data = bytes(etree.tostring(found[0], method="c14n", exclusive=exclusive,
                                    with_comments=comments))
    else:
        raise ValueError("a reference outside the document")
    method = reference.xpath("ds:DigestMethod/@Algorithm", namespaces=NS)
    digest = reference.xpath("ds:DigestValue/text()", namespaces=NS)
    names = {"http://www.w3.org/2001/04/xmlenc#sha256": "sha256",
             "http://www.w3.org/2001/04/xmldsig-more#sha384": "sha384",
             "http://www.w3.org/2001/04/xmlenc#sha512": "sha512"}
    if not method or method[0] not in names or not digest or \
            base64.b64decode(str(digest[0])) != hashlib.new(names[method[0]], data).digest():
        raise ValueError("a reference's data does not match its digest")
    return data


def _c14n(node: etree._Element) -> bytes:
    return bytes(etree.tostring(node, method="c14n"))


def _place(tree: etree._ElementTree) -> tuple[str, str | None]:
    """Where the signature goes (the XPath of a placeholder put there) and what it signs."""
    root = tree.getroot()
    parent, uri = root, None  # None: the whole document
    if etree.QName(root).localname == "HDon":
        data = [c for c in root if etree.QName(c).localname == "DLHDon" and c.get("Id")]
        slots = [c for c in root if etree.QName(c).localname == "DSCKS"]
        if len(data) == 1 and len(slots) == 1 and _unique_id(root, data[0].get("Id", "")):
            uri = f"#{data[0].get('Id')}"
            seller = [c for c in slots[0] if etree.QName(c).localname == "NBan"]
            parent = seller[0] if seller else etree.SubElement(slots[0], "NBan")
    placeholder = etree.SubElement(parent, f"{{{DS}}}Signature", Id="placeholder",
                                   nsmap={"ds": DS})
    return _path(placeholder), uri


def _unique_id(root: etree._Element, value: str) -> bool:
    """Whether one element only has ``value`` as an Id (how signxml resolves ``#value``)."""
    found = root.xpath("//*[@*[local-name() = 'Id' or local-name() = 'ID' or "
                       "local-name() = 'id'] = $v]", v=value)
    return isinstance(found, list) and len(found) == 1


def _path(node: etree._Element) -> str:
    """``node``'s place by position only (``/*[1]/*[3]…``): it names the same node in the
    copy of the tree signxml returns, whatever the prefixes."""
    steps = []
    while (parent := node.getparent()) is not None:
        steps.append(f"/*[{[c for c in parent if isinstance(c.tag, str)].index(node) + 1}]")
        node = parent
    return "/*" + "".join(reversed(steps))


def _key_info_chain(credential: Credential) -> list[bytes]:
    """The signer's certificate and its issuers below the root (the root is the anchor)."""
    return [d for d in credential.chain
            if not asn1_x509.Certificate.load(d).self_issued] or list(credential.chain[:1])


def _gen_time(token: cms.ContentInfo) -> datetime:
    info = token["content"]["encap_content_info"]["content"].parsed
    when: datetime = info["gen_time"].native
    return when


def _tsa_signer(certs: list[asn1_x509.Certificate]) -> asn1_x509.Certificate:
    """The time-stamping unit's certificate among a token's certificates."""
    for cert in certs:
        if "time_stamping" in (cert.extended_key_usage_value.native or []):
            return cert
    raise ValueError("the time-stamp token carries no time-stamping certificate")


def _unsigned(signature: etree._Element) -> etree._Element:
    """``xades:UnsignedSignatureProperties`` of ``signature`` (made when missing)."""
    found = signature.xpath("ds:Object/xades:QualifyingProperties/xades:UnsignedProperties/"
                            "xades:UnsignedSignatureProperties", namespaces=NS)
    if found:
        return found[0]
    props = _one(signature, "ds:Object/xades:QualifyingProperties")
    return _sub(_sub(props, "xades:UnsignedProperties"), "xades:UnsignedSignatureProperties")


def _one(node: etree._Element, path: str) -> etree._Element:
    [found] = node.xpath(path, namespaces=NS)
    return found


def _sub(parent: etree._Element, name: str, **attrs: str) -> etree._Element:
    prefix, local = name.split(":")
    return etree.SubElement(parent, f"{{{NS[prefix]}}}{local}", attrs)


def _b64(der: bytes) -> str:
    return base64.b64encode(der).decode()
