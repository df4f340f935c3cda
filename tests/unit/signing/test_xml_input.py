"""The XML reader refuses what makes XML dangerous, before any signing, and reads the rest
(UTF-8 with or without a byte-order mark, UTF-16)."""

from __future__ import annotations

import pytest

from kyso.signing.xml_input import (
    MAX_ATTRIBUTES,
    MAX_DEPTH,
    MAX_ELEMENTS,
    NotXml,
    UnsafeXml,
    parse_xml,
)
from tests.integration.documents.xml_oracles import INVOICE


def test_the_invoice_reads_in_every_encoding() -> None:
    text = INVOICE.read_text("utf-8")
    for data in (text.encode(), b"\xef\xbb\xbf" + text.encode(), text.encode("utf-16")):
        root = parse_xml(data).getroot()
        assert root.tag == "HDon"
        assert root.findtext("DLHDon/NDHDon/NBan/Ten") == "CÔNG TY CỔ PHẦN CÔNG NGHỆ KÝ SỐ HÀ NỘI"


@pytest.mark.parametrize("data", [
    b'<!DOCTYPE a [<!ENTITY x "y">]><a>&x;</a>',
    b'<!doctype a SYSTEM "http://127.0.0.1:9/a.dtd"><a/>',
    b"<?xml version='1.0'?>\n<!-- c --><!DOCTYPE a><a/>",
    b"<a><?php echo 1; ?></a>",
    b"<?xml-stylesheet href='x.xsl'?><a/>",
])
def test_dtds_entities_and_pis_are_unsafe(data: bytes) -> None:
    with pytest.raises(UnsafeXml):
        parse_xml(data)


@pytest.mark.parametrize("data", [
    b"", b"   ", b"plain text", b"<a>&amp;&bogus;</a>", b"<a></b>", b"\x80<a/>",
    b"<a/><b/>",
])
def test_what_is_not_xml(data: bytes) -> None:
    with pytest.raises(NotXml):
        parse_xml(data)


@pytest.mark.parametrize("data", [
    b"<a>" * (MAX_DEPTH + 1) + b"</a>" * (MAX_DEPTH + 1),  # kyso's depth limit
    b"<a>" * 100_000 + b"</a>" * 100_000,  # libxml2's (256 levels)
    b"<a>" + b"<b/>" * MAX_ELEMENTS + b"</a>",
    b"<a " + b" ".join(b'x%d="1"' % n for n in range(MAX_ATTRIBUTES + 1)) + b"/>",
    b"<a>" + b"x" * 11_000_000 + b"</a>",  # libxml2's 10 MB text node
])
def test_what_is_too_big_to_read_safely_is_unsafe(data: bytes) -> None:
    with pytest.raises(UnsafeXml):
        parse_xml(data)


def test_the_limits_themselves_are_allowed() -> None:
    deep = b"<a>" * MAX_DEPTH + b"</a>" * MAX_DEPTH
    wide = b"<a " + b" ".join(b'x%d="1"' % n for n in range(MAX_ATTRIBUTES)) + b"/>"
    many = b"<a>" + b"<b/>" * (MAX_ELEMENTS - 1) + b"</a>"
    for data in (deep, wide, many):
        assert parse_xml(data).getroot().tag == "a"
