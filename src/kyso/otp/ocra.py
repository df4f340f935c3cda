"""OCRA (RFC 6287) challenge-response codes, and challenges bound to transaction details."""

from __future__ import annotations

import hashlib
import hmac
import json
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from kyso.otp.oath import ALGORITHMS, MIN_SECRET_BYTES, dynamic_truncate

__all__ = ["CHALLENGE_DOMAIN", "OcraSuite", "data_input", "ocra", "transaction_challenge"]

CHALLENGE_DOMAIN: Final = b"kyso/ocra-transaction-challenge/v1\x00"
_QUESTION_BYTES: Final = 128  # Q is always padded to 128 bytes (RFC 6287 section 5.1)
_UNITS: Final = {"S": (1, 59), "M": (60, 59), "H": (3600, 48)}
_SUITE: Final = re.compile(
    r"OCRA-1:HOTP-SHA(1|256|512)-([1-9][0-9]?):"
    r"(C-)?Q([ANH])([0-9]{2})(?:-PSHA(1|256|512))?(?:-S([0-9]{3}))?(?:-T([1-9][0-9]?)([SMH]))?",
    re.ASCII,
)
_QUESTION_CHARS: Final = {
    "N": re.compile(r"[0-9]+", re.ASCII),
    "H": re.compile(r"[0-9A-Fa-f]+", re.ASCII),
    "A": re.compile(r"[0-9A-Za-z]+", re.ASCII),
}


def _time_step_text(seconds: int) -> str | None:
    for unit, (size, most) in _UNITS.items():
        if seconds % size == 0 and 1 <= seconds // size <= most:
            return f"{seconds // size}{unit}"
    return None


@dataclass(frozen=True)
class OcraSuite:
    """A validated OCRASuite; `str(suite)` is its canonical text, as hashed into DataInput.

    Parse one with `OcraSuite.parse("OCRA-1:HOTP-SHA1-6:QN08")`.
    """

    algorithm: str
    digits: int
    question_format: str
    question_length: int
    counter: bool = False
    pin_algorithm: str | None = None
    session_length: int | None = None
    time_step: int | None = None

    def __post_init__(self) -> None:
        if self.algorithm not in ALGORITHMS:
            raise ValueError(f"unknown OCRA hash {self.algorithm!r}")
        if self.pin_algorithm is not None and self.pin_algorithm not in ALGORITHMS:
            raise ValueError(f"unknown PIN hash {self.pin_algorithm!r}")
        if not 4 <= self.digits <= 10:
            raise ValueError("OCRA truncation must be 4..10 digits (0 is unsupported)")
        if self.question_format not in _QUESTION_CHARS or not 4 <= self.question_length <= 64:
            raise ValueError("the challenge must be QA, QN or QH with a length of 04..64")
        if self.session_length is not None and not 1 <= self.session_length <= 512:
            raise ValueError("session information length must be 001..512 bytes")
        if self.time_step is not None and _time_step_text(self.time_step) is None:
            raise ValueError("time step must be 1-59S, 1-59M or 1-48H")

    @classmethod
    def parse(cls, text: str) -> OcraSuite:
        """Parse an OCRASuite such as `OCRA-1:HOTP-SHA512-8:C-QN08-PSHA1`; ValueError if bad."""
        match = _SUITE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"not an OCRA suite: {text!r}")
        alg, digits, c, qf, ql, pin, session, t_num, t_unit = match.groups()
        suite = cls(
            algorithm=f"sha{alg}",
            digits=int(digits),
            question_format=qf,
            question_length=int(ql),
            counter=c is not None,
            pin_algorithm=None if pin is None else f"sha{pin}",
            session_length=None if session is None else int(session),
            time_step=None if t_num is None else int(t_num) * _UNITS[t_unit][0],
        )
        if str(suite) != text:
            raise ValueError(f"not a canonical OCRA suite: {text!r}")
        return suite

    def __str__(self) -> str:
        parts = ["C"] if self.counter else []
        parts.append(f"Q{self.question_format}{self.question_length:02d}")
        if self.pin_algorithm:
            parts.append(f"P{self.pin_algorithm.upper()}")
        if self.session_length is not None:
            parts.append(f"S{self.session_length:03d}")
        if self.time_step is not None:
            parts.append(f"T{_time_step_text(self.time_step)}")
        return f"OCRA-1:HOTP-{self.algorithm.upper()}-{self.digits}:{'-'.join(parts)}"


def _question_bytes(suite: OcraSuite, question: str) -> bytes:
    """Q per RFC 6287 5.1 (and its reference code): N as hex of the number, left-aligned."""
    if not isinstance(question, str) or not _QUESTION_CHARS[suite.question_format].fullmatch(
        question
    ):
        raise ValueError(f"the question does not fit Q{suite.question_format}")
    if suite.question_format == "A":
        raw = question.encode("ascii")
    else:
        hex_text = format(int(question), "X") if suite.question_format == "N" else question
        raw = bytes.fromhex(hex_text + "0" * (len(hex_text) % 2))
    if len(raw) > _QUESTION_BYTES:
        raise ValueError(f"the question is longer than {_QUESTION_BYTES} bytes")
    return raw.ljust(_QUESTION_BYTES, b"\0")


def _pin_bytes(
    suite: OcraSuite, password: str | bytes | None, password_hash: bytes | None
) -> bytes:
    if suite.pin_algorithm is None:
        if password is not None or password_hash is not None:
            raise ValueError("this suite takes no password")
        return b""
    if (password is None) == (password_hash is None):
        raise ValueError("this suite needs exactly one of password and password_hash")
    if password is not None:
        raw = password.encode("utf-8") if isinstance(password, str) else password
        return hashlib.new(suite.pin_algorithm, raw).digest()
    if password_hash is None or len(password_hash) != hashlib.new(suite.pin_algorithm).digest_size:
        raise ValueError(f"password_hash is not a {suite.pin_algorithm} digest")
    return password_hash


def _optional(name: str, wanted: bool, value: object) -> None:
    if wanted and value is None:
        raise ValueError(f"this suite needs {name}")
    if not wanted and value is not None:
        raise ValueError(f"this suite takes no {name}")


def _counter_bytes(counter: int | None) -> bytes:
    if counter is None:
        return b""
    if isinstance(counter, bool) or not isinstance(counter, int) or not 0 <= counter < 2**64:
        raise ValueError("counter must be an integer in 0..2**64-1")
    return counter.to_bytes(8, "big")


def _session_bytes(suite: OcraSuite, session: bytes | None) -> bytes:
    if session is None:
        return b""
    if not isinstance(session, bytes) or len(session) != suite.session_length:
        raise ValueError(f"session information must be exactly {suite.session_length} bytes")
    return session


def _time_bytes(suite: OcraSuite, timestamp: float | None) -> bytes:
    if timestamp is None or suite.time_step is None:
        return b""
    if not isinstance(timestamp, int | float) or not math.isfinite(timestamp) or timestamp < 0:
        raise ValueError("timestamp must be a non-negative Unix time")
    return int(timestamp // suite.time_step).to_bytes(8, "big")


def data_input(
    suite: OcraSuite,
    *,
    question: str,
    counter: int | None = None,
    password: str | bytes | None = None,
    password_hash: bytes | None = None,
    session: bytes | None = None,
    timestamp: float | None = None,
) -> bytes:
    """RFC 6287 5.1 DataInput: OCRASuite | 00 | C | Q | P | S | T.

    `timestamp` is a Unix time: T counts whole suite time steps since the epoch. `password`
    is the raw PIN (hashed here); servers that store only its hash pass `password_hash`.
    Session information must be exactly the suite's Snnn bytes.
    """
    _optional("a counter", suite.counter, counter)
    _optional("session information", suite.session_length is not None, session)
    _optional("a timestamp", suite.time_step is not None, timestamp)
    return b"".join(
        [
            str(suite).encode("ascii") + b"\0",
            _counter_bytes(counter),
            _question_bytes(suite, question),
            _pin_bytes(suite, password, password_hash),
            _session_bytes(suite, session),
            _time_bytes(suite, timestamp),
        ]
    )


def ocra(
    suite: OcraSuite | str,
    key: bytes,
    *,
    question: str,
    counter: int | None = None,
    password: str | bytes | None = None,
    password_hash: bytes | None = None,
    session: bytes | None = None,
    timestamp: float | None = None,
) -> str:
    """The OCRA response: HMAC(key, DataInput) truncated to the suite's digits."""
    if isinstance(suite, str):
        suite = OcraSuite.parse(suite)
    if not isinstance(key, bytes) or len(key) < MIN_SECRET_BYTES:
        raise ValueError(f"the key must be at least {MIN_SECRET_BYTES} bytes")
    message = data_input(
        suite,
        question=question,
        counter=counter,
        password=password,
        password_hash=password_hash,
        session=session,
        timestamp=timestamp,
    )
    return dynamic_truncate(hmac.new(key, message, suite.algorithm).digest(), suite.digits)


def _canonical(details: Mapping[str, str]) -> bytes:
    normal: dict[str, str] = {}
    for key, value in details.items():
        if not isinstance(key, str) or not isinstance(value, str):
            raise TypeError("transaction details must map str to str")
        normal[unicodedata.normalize("NFC", key)] = unicodedata.normalize("NFC", value)
    if not normal or len(normal) != len(details):
        raise ValueError("transaction details must be non-empty with distinct keys")
    ordered = dict(sorted(normal.items(), key=lambda item: item[0].encode("utf-16-be")))
    text = json.dumps(ordered, ensure_ascii=False, separators=(",", ":"))
    return CHALLENGE_DOMAIN + text.encode("utf-8")


def transaction_challenge(details: Mapping[str, str], *, length: int, fmt: str = "N") -> str:
    """A question binding an OCRA code to `details`, e.g. {"action": "phone.change", ...}.

    Canonical form C: NFC-normalise every key and value, then serialise the map as RFC 8785
    JSON (JCS: keys sorted by UTF-16 code units, no whitespace, only '"', '\\' and control
    characters escaped) in UTF-8. D = SHA-256(CHALLENGE_DOMAIN || C). For fmt "N" the
    question is D, a big-endian integer, mod 10**length, zero-padded to `length` digits; for
    "H" and "A" it is the first `length` upper-case hex digits of D. Pass the suite's
    question_format and question_length. QN08 binds only ~27 bits: prefer QH40 or QN64
    where a forged transaction with the same challenge must be out of reach.
    """
    if fmt not in _QUESTION_CHARS:
        raise ValueError("fmt must be 'N', 'H' or 'A'")
    if isinstance(length, bool) or not isinstance(length, int) or not 4 <= length <= 64:
        raise ValueError("length must be 4..64")
    digest = hashlib.sha256(_canonical(details)).digest()
    if fmt == "N":
        return str(int.from_bytes(digest, "big") % 10**length).zfill(length)
    return digest.hex().upper()[:length]
