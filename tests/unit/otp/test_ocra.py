"""OCRA: RFC 6287 Appendix C vectors, suites, the DataInput layout, transaction challenges."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

import pytest

from kyso.otp.ocra import CHALLENGE_DOMAIN, OcraSuite, data_input, ocra, transaction_challenge

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
DATA: dict[str, Any] = json.loads((VECTORS / "rfc6287_ocra.json").read_text())
KEYS = {name: bytes.fromhex(value) for name, value in DATA["keys_hex"].items()}
PIN_HASH = bytes.fromhex(DATA["pin_sha1_hex"])
KEY = KEYS["standard32"]


def _vector_id(v: dict[str, Any]) -> str:
    role = f"-{v['role']}" if v["role"] else ""
    counter = "" if v["counter"] is None else f"-C{v['counter']}"
    return f"{v['section']}{role}-{v['suite']}-Q{v['question']}{counter}"


def _timestamp(v: dict[str, Any], suite: OcraSuite) -> int | None:
    """The RFC gives T in time steps; ocra() takes a Unix time."""
    if v["time_steps_hex"] is None:
        return None
    assert suite.time_step is not None
    return int(v["time_steps_hex"], 16) * suite.time_step


# --- RFC 6287 Appendix C -----------------------------------------------------------------


@pytest.mark.parametrize("v", DATA["vectors"], ids=_vector_id)
def test_rfc6287_vector(v: dict[str, Any]) -> None:
    suite = OcraSuite.parse(v["suite"])
    result = ocra(
        suite,
        KEYS[v["key"]],
        question=v["question"],
        counter=v["counter"],
        password=v["pin"],
        timestamp=_timestamp(v, suite),
    )
    assert result == v["ocra"]


PIN_VECTORS = [v for v in DATA["vectors"] if v["pin"] is not None]


@pytest.mark.parametrize("v", PIN_VECTORS, ids=_vector_id)
def test_rfc6287_vector_with_a_stored_pin_hash(v: dict[str, Any]) -> None:
    suite = OcraSuite.parse(v["suite"])
    kwargs = {"question": v["question"], "counter": v["counter"], "password_hash": PIN_HASH}
    assert ocra(v["suite"], KEYS[v["key"]], **kwargs) == v["ocra"]
    assert suite.pin_algorithm == "sha1"


def test_appendix_c_pin_hash_is_sha1_of_the_pin() -> None:
    assert len(PIN_VECTORS) == 20
    assert hashlib.sha1(DATA["pin"].encode()).digest() == PIN_HASH
    assert [len(k) for k in KEYS.values()] == [20, 32, 64]


# --- suites ------------------------------------------------------------------------------

VALID_SUITES = [v["suite"] for v in DATA["vectors"]] + [
    "OCRA-1:HOTP-SHA1-6:QH40",
    "OCRA-1:HOTP-SHA256-8:QA08",
    "OCRA-1:HOTP-SHA1-4:QH08-S512",
    "OCRA-1:HOTP-SHA256-6:QA10-T1M",
    "OCRA-1:HOTP-SHA1-10:C-QA64-PSHA512-S001-T48H",
    "OCRA-1:HOTP-SHA256-7:QN04-T59S",
    "OCRA-1:HOTP-SHA512-8:QN64-T59M",
]


@pytest.mark.parametrize("text", sorted(set(VALID_SUITES)))
def test_suite_round_trips(text: str) -> None:
    suite = OcraSuite.parse(text)
    assert str(suite) == text
    assert OcraSuite.parse(str(suite)) == suite


def test_suite_fields() -> None:
    suite = OcraSuite.parse("OCRA-1:HOTP-SHA512-8:C-QN08-PSHA1")
    assert (suite.algorithm, suite.digits, suite.counter) == ("sha512", 8, True)
    assert (suite.question_format, suite.question_length) == ("N", 8)
    assert (suite.pin_algorithm, suite.session_length, suite.time_step) == ("sha1", None, None)
    full = OcraSuite.parse("OCRA-1:HOTP-SHA1-10:C-QA64-PSHA512-S001-T48H")
    assert (full.pin_algorithm, full.session_length, full.time_step) == ("sha512", 1, 48 * 3600)
    assert OcraSuite.parse("OCRA-1:HOTP-SHA1-6:QH40-T20S").time_step == 20
    assert OcraSuite.parse("OCRA-1:HOTP-SHA1-6:QH40-T5M").time_step == 300


@pytest.mark.parametrize(
    "text",
    [
        "",
        "OCRA-1",
        "OCRA-2:HOTP-SHA1-6:QN08",
        "OCRA-1:TOTP-SHA1-6:QN08",
        "OCRA-1:HOTP-MD5-6:QN08",
        "OCRA-1:HOTP-SHA384-6:QN08",
        "OCRA-1:HOTP-SHA1-0:QN08",
        "OCRA-1:HOTP-SHA1-3:QN08",
        "OCRA-1:HOTP-SHA1-11:QN08",
        "OCRA-1:HOTP-SHA1-06:QN08",
        "OCRA-1:HOTP-SHA1-6:",
        "OCRA-1:HOTP-SHA1-6:C",
        "OCRA-1:HOTP-SHA1-6:QX08",
        "OCRA-1:HOTP-SHA1-6:QN8",
        "OCRA-1:HOTP-SHA1-6:QN03",
        "OCRA-1:HOTP-SHA1-6:QN65",
        "OCRA-1:HOTP-SHA1-6:QN080",
        "OCRA-1:HOTP-SHA1-6:QN08-",
        "OCRA-1:HOTP-SHA1-6:-QN08",
        "OCRA-1:HOTP-SHA1-6:PSHA1-QN08",
        "OCRA-1:HOTP-SHA1-6:QN08-C",
        "OCRA-1:HOTP-SHA1-6:QN08-T1M-PSHA1",
        "OCRA-1:HOTP-SHA1-6:QN08-PSHA384",
        "OCRA-1:HOTP-SHA1-6:QN08-PSHA1-PSHA1",
        "OCRA-1:HOTP-SHA1-6:QN08-S64",
        "OCRA-1:HOTP-SHA1-6:QN08-S000",
        "OCRA-1:HOTP-SHA1-6:QN08-S513",
        "OCRA-1:HOTP-SHA1-6:QN08-T",
        "OCRA-1:HOTP-SHA1-6:QN08-T0S",
        "OCRA-1:HOTP-SHA1-6:QN08-T60S",
        "OCRA-1:HOTP-SHA1-6:QN08-T60M",
        "OCRA-1:HOTP-SHA1-6:QN08-T0H",
        "OCRA-1:HOTP-SHA1-6:QN08-T49H",
        "OCRA-1:HOTP-SHA1-6:QN08-T1D",
        "OCRA-1:HOTP-SHA1-6:QN08-T01M",
        "ocra-1:hotp-sha1-6:qn08",
        " OCRA-1:HOTP-SHA1-6:QN08",
        "OCRA-1:HOTP-SHA1-6:QN08\n",
        "OCRA-1:HOTP-SHA1-6:QN08:QN08",
        "OCRA-1:HOTP-SHA1-6:QN٠٨",
    ],
)
def test_bad_suites_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        OcraSuite.parse(text)


def test_non_string_suite_is_refused() -> None:
    with pytest.raises(ValueError):
        OcraSuite.parse(b"OCRA-1:HOTP-SHA1-6:QN08")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"algorithm": "md5"},
        {"digits": 3},
        {"digits": 11},
        {"question_format": "B"},
        {"question_length": 65},
        {"pin_algorithm": "sha384"},
        {"session_length": 0},
        {"time_step": 0},
        {"time_step": 61},
        {"time_step": 49 * 3600},
    ],
)
def test_suite_constructor_validates(kwargs: dict[str, Any]) -> None:
    fields: dict[str, Any] = {
        "algorithm": "sha1",
        "digits": 6,
        "question_format": "N",
        "question_length": 8,
    }
    with pytest.raises(ValueError):
        OcraSuite(**(fields | kwargs))


def test_suite_is_frozen() -> None:
    suite = OcraSuite.parse("OCRA-1:HOTP-SHA1-6:QN08")
    with pytest.raises(AttributeError):
        suite.digits = 8  # type: ignore[misc]


# --- DataInput (RFC 6287 section 5.1) ----------------------------------------------------

FULL = OcraSuite.parse("OCRA-1:HOTP-SHA512-8:C-QH40-PSHA256-S064-T30S")


def test_data_input_layout() -> None:
    session = bytes(range(64))
    when = 1_700_000_000
    message = data_input(
        FULL, question="ABC", counter=258, password="1234", session=session, timestamp=when
    )
    head = str(FULL).encode() + b"\0"
    assert message.startswith(head)
    fields = message[len(head) :]
    assert len(fields) == 8 + 128 + 32 + 64 + 8
    assert fields[:8] == (258).to_bytes(8, "big")
    assert fields[8:136] == bytes.fromhex("ABC0") + bytes(126)
    assert fields[136:168] == hashlib.sha256(b"1234").digest()
    assert fields[168:232] == session
    assert fields[232:] == (when // 30).to_bytes(8, "big")


@pytest.mark.parametrize("question", ["0", "7", "12345678", "22222222", "99999999", "9" * 64])
def test_numeric_question_is_the_hex_of_the_number_left_aligned(question: str) -> None:
    suite = OcraSuite.parse("OCRA-1:HOTP-SHA1-6:QN08")
    q = data_input(suite, question=question)[len(str(suite)) + 1 :]
    hex_text = format(int(question), "X")
    expected = bytes.fromhex(hex_text + "0" * (len(hex_text) % 2))
    assert q == expected.ljust(128, b"\0")


def test_alphanumeric_question_is_its_ascii() -> None:
    suite = OcraSuite.parse("OCRA-1:HOTP-SHA256-8:QA08")
    q = data_input(suite, question="SIG10000")[len(str(suite)) + 1 :]
    assert q == b"SIG10000".ljust(128, b"\0")


def test_hex_question_case_does_not_matter() -> None:
    suite = OcraSuite.parse("OCRA-1:HOTP-SHA1-6:QH40")
    assert ocra(suite, KEY, question="deadBEEF") == ocra(suite, KEY, question="DEADbeef")


@pytest.mark.parametrize(
    ("suite", "kwargs"),
    [
        ("OCRA-1:HOTP-SHA1-6:C-QN08", {}),
        ("OCRA-1:HOTP-SHA1-6:QN08", {"counter": 1}),
        ("OCRA-1:HOTP-SHA1-6:C-QN08", {"counter": -1}),
        ("OCRA-1:HOTP-SHA1-6:C-QN08", {"counter": 2**64}),
        ("OCRA-1:HOTP-SHA1-6:C-QN08", {"counter": True}),
        ("OCRA-1:HOTP-SHA1-6:QN08-PSHA1", {}),
        ("OCRA-1:HOTP-SHA1-6:QN08", {"password": "1234"}),
        ("OCRA-1:HOTP-SHA1-6:QN08", {"password_hash": PIN_HASH}),
        ("OCRA-1:HOTP-SHA1-6:QN08-PSHA1", {"password": "1234", "password_hash": PIN_HASH}),
        ("OCRA-1:HOTP-SHA1-6:QN08-PSHA256", {"password_hash": PIN_HASH}),
        ("OCRA-1:HOTP-SHA1-6:QN08-S064", {}),
        ("OCRA-1:HOTP-SHA1-6:QN08-S064", {"session": bytes(63)}),
        ("OCRA-1:HOTP-SHA1-6:QN08-S064", {"session": bytes(65)}),
        ("OCRA-1:HOTP-SHA1-6:QN08", {"session": bytes(64)}),
        ("OCRA-1:HOTP-SHA1-6:QN08-T1M", {}),
        ("OCRA-1:HOTP-SHA1-6:QN08-T1M", {"timestamp": -60}),
        ("OCRA-1:HOTP-SHA1-6:QN08-T1M", {"timestamp": float("nan")}),
        ("OCRA-1:HOTP-SHA1-6:QN08", {"timestamp": 60}),
    ],
)
def test_inputs_must_match_the_suite(suite: str, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        ocra(suite, KEY, question="12345678", **kwargs)


@pytest.mark.parametrize(
    ("suite", "question"),
    [
        ("OCRA-1:HOTP-SHA1-6:QN08", ""),
        ("OCRA-1:HOTP-SHA1-6:QN08", "1234567a"),
        ("OCRA-1:HOTP-SHA1-6:QN08", "-1234567"),
        ("OCRA-1:HOTP-SHA1-6:QN08", "١٢٣٤٥٦٧٨"),
        ("OCRA-1:HOTP-SHA1-6:QN08", "9" * 309),
        ("OCRA-1:HOTP-SHA1-6:QH40", "0x1234"),
        ("OCRA-1:HOTP-SHA1-6:QH40", "F" * 257),
        ("OCRA-1:HOTP-SHA1-6:QA08", "SIG 1000"),
        ("OCRA-1:HOTP-SHA1-6:QA08", "chữ ký"),
        ("OCRA-1:HOTP-SHA1-6:QA08", "A" * 129),
    ],
)
def test_questions_must_fit_the_format(suite: str, question: str) -> None:
    with pytest.raises(ValueError):
        ocra(suite, KEY, question=question)


def test_longest_questions_fit() -> None:
    assert len(ocra("OCRA-1:HOTP-SHA1-6:QA64", KEY, question="A" * 128)) == 6
    assert len(ocra("OCRA-1:HOTP-SHA1-6:QH64", KEY, question="F" * 256)) == 6


def test_short_keys_are_refused() -> None:
    with pytest.raises(ValueError):
        ocra("OCRA-1:HOTP-SHA1-6:QN08", KEY[:15], question="1")


def test_every_input_changes_the_response() -> None:
    suite = FULL
    base: dict[str, Any] = {
        "question": "00112233",
        "counter": 5,
        "password": "1234",
        "session": bytes(64),
        "timestamp": 1_700_000_010,
    }
    reference = ocra(suite, KEY, **base)
    changes: dict[str, Any] = {
        "question": "00112234",
        "counter": 6,
        "password": "1235",
        "session": bytes(63) + b"\1",
        "timestamp": 1_700_000_040,
    }
    for name, value in changes.items():
        assert ocra(suite, KEY, **(base | {name: value})) != reference, name
    assert ocra(suite, KEY[::-1], **base) != reference
    assert ocra(suite, KEY, **(base | {"timestamp": 1_700_000_039})) == reference


# --- transaction challenges --------------------------------------------------------------

DETAILS = {
    "action": "contact.change_phone",
    "account_id": "acc_01HZX",
    "new_phone": "+84901234567",
    "requested_at": "2025-01-02T03:04:05Z",
    "note": "Đổi số điện thoại",
}


def test_challenge_is_deterministic_and_order_free() -> None:
    reordered = dict(reversed(list(DETAILS.items())))
    for fmt, length in (("N", 8), ("N", 64), ("H", 40), ("A", 64)):
        first = transaction_challenge(DETAILS, length=length, fmt=fmt)
        assert first == transaction_challenge(reordered, length=length, fmt=fmt)


def test_challenge_formats() -> None:
    numeric = transaction_challenge(DETAILS, length=8)
    assert len(numeric) == 8 and numeric.isascii() and numeric.isdigit()
    hexa = transaction_challenge(DETAILS, length=40, fmt="H")
    assert len(hexa) == 40 and hexa == hexa.upper() and bytes.fromhex(hexa)
    alphanumeric = transaction_challenge(DETAILS, length=64, fmt="A")
    assert alphanumeric == transaction_challenge(DETAILS, length=64, fmt="H")
    assert alphanumeric.startswith(hexa)


def test_challenge_follows_the_documented_canonical_form() -> None:
    canonical = json.dumps(DETAILS, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    digest = hashlib.sha256(CHALLENGE_DOMAIN + canonical.encode("utf-8")).digest()
    assert transaction_challenge(DETAILS, length=64, fmt="H") == digest.hex().upper()
    expected = str(int.from_bytes(digest, "big") % 10**12).zfill(12)
    assert transaction_challenge(DETAILS, length=12) == expected


def _hex_of(canonical: str) -> str:
    return hashlib.sha256(CHALLENGE_DOMAIN + canonical.encode("utf-8")).hexdigest().upper()


def test_challenge_canonical_form_is_jcs() -> None:
    # RFC 8785 orders keys by UTF-16 code units: U+1F600 (D83D DE00) sorts before U+FF01.
    details = {"\uff01": "b", "\U0001f600": "a"}
    assert transaction_challenge(details, length=64, fmt="H") == _hex_of(
        '{"\U0001f600":"a","\uff01":"b"}'
    )
    tricky = {"k": 'Việt "q" \\ \n\x01\x7f\u2028'}
    assert transaction_challenge(tricky, length=64, fmt="H") == _hex_of(
        '{"k":"Việt \\"q\\" \\\\ \\n\\u0001\x7f\u2028"}'
    )


@pytest.mark.parametrize("field", sorted(DETAILS))
def test_challenge_depends_on_every_field(field: str) -> None:
    reference = transaction_challenge(DETAILS, length=16)
    variants = [
        DETAILS | {field: DETAILS[field] + "0"},
        DETAILS | {field: DETAILS[field][:-1]},
        DETAILS | {field: ""},
        {k: v for k, v in DETAILS.items() if k != field},
        {(k + "_" if k == field else k): v for k, v in DETAILS.items()},
    ]
    for variant in variants:
        assert transaction_challenge(variant, length=16) != reference


def test_challenge_has_no_field_boundary_ambiguity() -> None:
    pairs = [
        ({"a": "bc"}, {"ab": "c"}),
        ({"a": "b", "c": "d"}, {"a": 'b","c":"d'}),
        ({"a": "b"}, {"a": "b", "": ""}),
        ({"x": "1"}, {"x": "1 "}),
    ]
    for left, right in pairs:
        assert transaction_challenge(left, length=40, fmt="H") != transaction_challenge(
            right, length=40, fmt="H"
        )


def test_challenge_treats_nfc_and_nfd_alike() -> None:
    nfd = {
        unicodedata.normalize("NFD", k): unicodedata.normalize("NFD", v) for k, v in DETAILS.items()
    }
    assert nfd != DETAILS
    assert transaction_challenge(nfd, length=20) == transaction_challenge(DETAILS, length=20)


@pytest.mark.parametrize(
    ("details", "kwargs", "error"),
    [
        ({}, {}, ValueError),
        ({"a": 1}, {}, TypeError),
        ({1: "a"}, {}, TypeError),
        ({"é": "1", unicodedata.normalize("NFD", "é"): "2"}, {}, ValueError),
        (DETAILS, {"length": 3}, ValueError),
        (DETAILS, {"length": 65}, ValueError),
        (DETAILS, {"length": True}, ValueError),
        (DETAILS, {"fmt": "X"}, ValueError),
    ],
)
def test_challenge_validation(details: Any, kwargs: dict[str, Any], error: type[Exception]) -> None:
    with pytest.raises(error):
        transaction_challenge(details, **({"length": 8} | kwargs))


@pytest.mark.parametrize(
    "text",
    ["OCRA-1:HOTP-SHA256-8:QN08-PSHA1", "OCRA-1:HOTP-SHA1-6:QH40", "OCRA-1:HOTP-SHA512-8:QA64"],
)
def test_challenge_serves_as_the_question_of_its_suite(text: str) -> None:
    suite = OcraSuite.parse(text)
    pin = "1234" if suite.pin_algorithm else None

    def respond(details: dict[str, str]) -> str:
        question = transaction_challenge(
            details, length=suite.question_length, fmt=suite.question_format
        )
        return ocra(suite, KEY, question=question, password=pin)

    assert respond(DETAILS) == respond(dict(DETAILS))
    assert respond(DETAILS) != respond(DETAILS | {"new_phone": "+84901234568"})
