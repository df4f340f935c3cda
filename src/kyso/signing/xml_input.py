"""Reading an XML document from outside, refusing what makes XML dangerous.

An XML file to sign (an e-invoice, a tax form) comes from a customer or a CSC client. Before
any parsing: a size limit (the caller's), UTF-8/UTF-16 text, and no document type
declaration at all — a DTD is how entity expansion ("billion laughs"), external entities
(XXE: local files, network) and external DTDs get in, and no e-invoice needs one. lxml then
parses with entities unresolved, no network, no DTD loading and ``huge_tree`` off (libxml2's
own limits on depth and text nodes), and a tree of at most :data:`MAX_ELEMENTS` elements,
:data:`MAX_DEPTH` levels and :data:`MAX_ATTRIBUTES` attributes on an element is kept.
Processing instructions other than the XML declaration are refused too.

An uploaded document is parsed here only inside the sandbox's child process (a CPU-time and
memory bound, :meth:`~kyso.signing.sandbox.PdfSandbox.check_xml`); the server parses it
again only once the child has admitted it, so within these limits. A document the child
cannot read in its time or memory is :class:`UnsafeXml` too.

Every refusal is :class:`NotXml` or :class:`UnsafeXml` (400), with a sentence, never a
parser's message.
"""

from __future__ import annotations

import re

from lxml import etree

from kyso.errors import InvalidInput

__all__ = ["MAX_ATTRIBUTES", "MAX_DEPTH", "MAX_ELEMENTS", "NotXml", "UnsafeXml", "parse_xml"]

MAX_ELEMENTS = 100_000
MAX_DEPTH = 64
MAX_ATTRIBUTES = 256  # on one element (an e-invoice's have a handful)
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY|ELEMENT|ATTLIST)", re.IGNORECASE)


class NotXml(InvalidInput):
    code = "not_xml"
    vi = "Tệp tải lên không phải là tài liệu XML đọc được (UTF-8, một phần tử gốc)."
    en = "The uploaded file is not a readable XML document (UTF-8, one root element)."


class UnsafeXml(InvalidInput):
    code = "unsafe_xml"
    vi = ("Tài liệu XML có khai báo DTD, thực thể hoặc chỉ thị xử lý, hoặc lồng quá sâu, có quá "
          "nhiều phần tử hay thuộc tính để đọc an toàn — kyso không đọc những tài liệu như vậy "
          "vì lý do an toàn; hãy xuất lại tệp hóa đơn hoặc tờ khai theo mẫu chuẩn.")
    en = ("The XML document declares a DTD, entities or processing instructions, or is nested "
          "too deep or has too many elements or attributes to read safely, which kyso refuses "
          "for safety; export the invoice or form again in its standard layout.")


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=False, remove_comments=False,
                           remove_pis=False, collect_ids=False)


def parse_xml(data: bytes) -> etree._ElementTree:
    """The document as an lxml tree, or :class:`NotXml` / :class:`UnsafeXml`."""
    text = _text(data)
    if _DOCTYPE.search(text):
        raise UnsafeXml()
    try:
        tree = etree.ElementTree(etree.fromstring(text, _parser()))
    except etree.XMLSyntaxError as exc:
        if _over_limits(exc):  # libxml2's own bounds: too deep, a huge text or name
            raise UnsafeXml() from None
        raise NotXml() from None
    except ValueError:
        raise NotXml() from None
    _check_tree(tree)
    return tree


def _over_limits(exc: etree.XMLSyntaxError) -> bool:
    """Whether libxml2 stopped at one of its resource limits (``XML_ERR_RESOURCE_LIMIT``;
    older releases say "Excessive depth" as an internal error)."""
    return exc.code == etree.ErrorTypes.ERR_RESOURCE_LIMIT or "XML_PARSE_HUGE" in str(exc)


def _text(data: bytes) -> bytes:
    """The document as UTF-8 bytes (a UTF-16 one re-encoded), its declaration kept."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            decoded = data.decode("utf-16")
        except UnicodeDecodeError:
            raise NotXml() from None
        data = re.sub(r"^\s*<\?xml[^>]*\?>", "", decoded.lstrip("\ufeff")).encode()
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotXml() from None
    if not data.lstrip().startswith(b"<"):
        raise NotXml()
    return data


def _check_tree(tree: etree._ElementTree) -> None:
    root = tree.getroot()
    if root.getprevious() is not None and any(
            isinstance(n, etree._ProcessingInstruction) for n in root.itersiblings(preceding=True)):
        raise UnsafeXml()
    for count, node in enumerate(root.iter(), 1):
        if isinstance(node, (etree._ProcessingInstruction, etree._Entity)):
            raise UnsafeXml()
        if count > MAX_ELEMENTS or len(node.attrib) > MAX_ATTRIBUTES:
            raise UnsafeXml()
    if _depth(root) > MAX_DEPTH:
        raise UnsafeXml()


def _depth(root: etree._Element) -> int:
    deepest, stack = 0, [(root, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in node)
    return deepest
