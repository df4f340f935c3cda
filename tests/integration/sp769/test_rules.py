"""The SP769 rules without a database: orders, the bound details, states, the webhook
signature (pure functions and value objects)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from kyso.relying.errors import InvalidSignRequest
from kyso.relying.model import RelyingParty, RequestStatus, SignFile
from kyso.relying.orders import FileOrder, SignOrder, bound_details, parse_files
from kyso.relying.webhooks import signature_header

NOW = datetime(2026, 5, 1, tzinfo=UTC)
DIGEST = hashlib.sha256(b"a").hexdigest()


def order(digest: str = DIGEST, doc_id: str = "HS-1", sign_type: str = "hash") -> FileOrder:
    return FileOrder(doc_id, "PDF", digest, sign_type)


def test_files_are_parsed_and_normalised() -> None:
    [f] = parse_files([order(DIGEST.upper())], 20)
    assert f == SignFile("HS-1", "pdf", bytes.fromhex(DIGEST))


@pytest.mark.parametrize(("items", "reason"), [
    ([], "1 to 3"),
    ([order(doc_id=f"d{n}", digest=hashlib.sha256(bytes([n])).hexdigest()) for n in range(4)],
     "1 to 3"),
    ([order("g" * 64)], "64 hex"),
    ([order(DIGEST[:-2])], "64 hex"),
    ([order(sign_type="file")], "'hash'"),
    ([order(), order(doc_id="HS-2")], "twice"),
    ([order(), order(hashlib.sha256(b"b").hexdigest())], "doc_id"),
    ([order(doc_id="a\nb")], "printable"),
    ([order(doc_id="x" * 129)], "printable"),
])
def test_bad_files_are_refused_with_a_reason(items: list[FileOrder], reason: str) -> None:
    with pytest.raises(InvalidSignRequest) as caught:
        parse_files(items, 3)
    assert reason in caught.value.describe("en")


def test_order_checks_its_fields() -> None:
    files = parse_files([order()], 20)
    with pytest.raises(InvalidSignRequest):
        SignOrder("001", "có dấu", "", files)
    with pytest.raises(InvalidSignRequest):
        SignOrder("001", "SP-1", "x\x00", files)
    with pytest.raises(InvalidSignRequest):
        SignOrder(" ", "SP-1", "", files)
    assert SignOrder("001", "SP_CA_1:a@b.c-d", "mô tả", files).transaction_id


def test_bound_details_bind_every_digest() -> None:
    a, b = (hashlib.sha256(x).digest() for x in (b"a", b"b"))
    files = [SignFile("HS-1", "pdf", a), SignFile("HS-2", "xml", b)]
    details = bound_details("Cổng DVC", "Nộp hồ sơ", files)
    canonical = json.dumps([["HS-1", "pdf", a.hex()], ["HS-2", "xml", b.hex()]],
                           separators=(",", ":")).encode()
    assert details == {"relying_party": "Cổng DVC", "transaction_desc": "Nộp hồ sơ",
                       "doc_ids": "HS-1\nHS-2",
                       "files_sha256": hashlib.sha256(canonical).hexdigest()}
    swapped = [SignFile("HS-1", "pdf", b), SignFile("HS-2", "xml", a)]
    assert bound_details("Cổng DVC", "Nộp hồ sơ", swapped)["files_sha256"] != \
        details["files_sha256"]


def test_states_seen_by_a_relying_party() -> None:
    assert [s.public for s in RequestStatus] == [
        "waiting", "waiting", "waiting", "signed", "rejected", "expired", "failed"]
    assert {s for s in RequestStatus if s.final} == {
        RequestStatus.SIGNED, RequestStatus.REJECTED, RequestStatus.EXPIRED,
        RequestStatus.FAILED}


def test_party_needs_a_name_and_a_secret_with_its_webhook() -> None:
    with pytest.raises(ValueError, match="name"):
        RelyingParty("id", "sp-1", " ", "hash", NOW)
    with pytest.raises(ValueError, match="webhook"):
        RelyingParty("id", "sp-1", "Cổng", "hash", NOW, webhook_url="https://x.vn")
    party = RelyingParty("id", "sp-1", "Cổng", "$argon2id$secret", NOW)
    assert "argon2" not in repr(party)


def test_signature_header_is_hmac_over_time_and_body() -> None:
    body = b'{"status":"signed"}'
    header = signature_header(b"whsec", 1767225600, body)
    expected = hmac.new(b"whsec", b"1767225600." + body, hashlib.sha256).hexdigest()
    assert header == f"t=1767225600,v1={expected}"
