"""HOTP (RFC 4226) and TOTP (RFC 6238) as pure functions: time is always passed in."""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

__all__ = [
    "ALGORITHMS",
    "MAX_WINDOW",
    "MIN_SECRET_BYTES",
    "MIN_SEED_BYTES",
    "OathParams",
    "b32decode_seed",
    "b32encode_seed",
    "dynamic_truncate",
    "hotp",
    "match_hotp",
    "match_totp",
    "new_seed",
    "otpauth_uri",
    "totp",
    "totp_counter",
]

ALGORITHMS: Final = ("sha1", "sha256", "sha512")
MIN_SECRET_BYTES: Final = 16  # RFC 4226 R6: a shared secret of at least 128 bits
MIN_SEED_BYTES: Final = 20  # new seeds: RFC 4226's recommended 160 bits
MAX_WINDOW: Final = 10  # a verifier never tries more than 2 * 10 + 1 counters
_MAX_COUNTER: Final = 2**64 - 1


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_algorithm(algorithm: str) -> None:
    if algorithm not in ALGORITHMS:
        raise ValueError(f"algorithm must be one of {ALGORITHMS}, not {algorithm!r}")


def _check_digits(digits: int, low: int = 6, high: int = 8) -> None:
    if not _is_int(digits) or not low <= digits <= high:
        raise ValueError(f"digits must be an integer in {low}..{high}, not {digits!r}")


def _check_secret(secret: bytes) -> None:
    if not isinstance(secret, bytes) or len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the secret must be at least {MIN_SECRET_BYTES} bytes")


def _check_counter(counter: int) -> None:
    if not _is_int(counter) or not 0 <= counter <= _MAX_COUNTER:
        raise ValueError(f"counter must be an integer in 0..2**64-1, not {counter!r}")


@dataclass(frozen=True)
class OathParams:
    """How a TOTP token computes its codes (t0 is the Unix time counting starts from)."""

    algorithm: str = "sha1"
    digits: int = 6
    step: int = 30
    t0: int = 0

    def __post_init__(self) -> None:
        _check_algorithm(self.algorithm)
        _check_digits(self.digits)
        if not _is_int(self.step) or self.step <= 0:
            raise ValueError(f"step must be a positive whole number of seconds, not {self.step!r}")
        if not _is_int(self.t0) or self.t0 < 0:
            raise ValueError(f"t0 must be a non-negative integer, not {self.t0!r}")


def dynamic_truncate(mac: bytes, digits: int) -> str:
    """RFC 4226 section 5.3: 31 bits picked by the MAC's last nibble, as `digits` decimals."""
    _check_digits(digits, 1, 10)
    offset = mac[-1] & 0x0F
    value = int.from_bytes(mac[offset : offset + 4], "big") & 0x7FFF_FFFF
    return str(value % 10**digits).zfill(digits)


def hotp(secret: bytes, counter: int, *, digits: int = 6, algorithm: str = "sha1") -> str:
    """The RFC 4226 one-time password for `counter`."""
    _check_secret(secret)
    _check_counter(counter)
    _check_digits(digits)
    _check_algorithm(algorithm)
    mac = hmac.new(secret, counter.to_bytes(8, "big"), algorithm).digest()
    return dynamic_truncate(mac, digits)


def totp_counter(unix_time: float, step: int = 30, t0: int = 0) -> int:
    """RFC 6238's T: whole time steps from `t0` to `unix_time`."""
    OathParams(step=step, t0=t0)
    if not isinstance(unix_time, int | float) or not math.isfinite(unix_time):
        raise ValueError(f"unix_time must be a finite number, not {unix_time!r}")
    if unix_time < t0:
        raise ValueError("unix_time is before t0")
    return int((unix_time - t0) // step)


def totp(
    secret: bytes,
    unix_time: float,
    *,
    step: int = 30,
    digits: int = 6,
    algorithm: str = "sha1",
    t0: int = 0,
) -> str:
    """The RFC 6238 one-time password at `unix_time`."""
    counter = totp_counter(unix_time, step, t0)
    return hotp(secret, counter, digits=digits, algorithm=algorithm)


def _well_formed(code: str, digits: int) -> bool:
    return isinstance(code, str) and len(code) == digits and code.isascii() and code.isdigit()


def _scan(
    secret: bytes, code: str, counters: Iterable[int], params: OathParams, floor: int = 0
) -> int | None:
    """The first counter >= `floor` whose code is `code`.

    Every candidate is computed and compared with compare_digest, in order, with no early exit.
    """
    found: int | None = None
    for counter in counters:
        expected = hotp(secret, counter, digits=params.digits, algorithm=params.algorithm)
        if hmac.compare_digest(expected, code) and counter >= floor and found is None:
            found = counter
    return found


def _check_window(name: str, value: int) -> None:
    if not _is_int(value) or not 0 <= value <= MAX_WINDOW:
        raise ValueError(f"{name} must be an integer in 0..{MAX_WINDOW}, not {value!r}")


def match_totp(
    secret: bytes,
    code: str,
    unix_time: float,
    *,
    params: OathParams = OathParams(),
    window: int = 1,
    last_counter: int | None = None,
    drift: int = 0,
) -> int | None:
    """The counter `code` belongs to, or None.

    Tries the counters `T + drift - window .. T + drift + window` in that order and
    never returns one at or below `last_counter` (the replay guard): store the result
    as the new `last_counter`.
    """
    _check_secret(secret)
    _check_window("window", window)
    if not _is_int(drift):
        raise ValueError(f"drift must be an integer, not {drift!r}")
    if last_counter is not None and not _is_int(last_counter):
        raise ValueError(f"last_counter must be an integer or None, not {last_counter!r}")
    if not _well_formed(code, params.digits):
        return None
    centre = totp_counter(unix_time, params.step, params.t0) + drift
    low, high = max(centre - window, 0), min(centre + window, _MAX_COUNTER)
    floor = 0 if last_counter is None else last_counter + 1
    return _scan(secret, code, range(low, high + 1), params, floor)


def match_hotp(
    secret: bytes,
    code: str,
    counter: int,
    look_ahead: int = 3,
    *,
    digits: int = 6,
    algorithm: str = "sha1",
) -> int | None:
    """The counter in `counter .. counter + look_ahead` that `code` belongs to, or None.

    `counter` is the next unused counter; after a match, the next one is the result + 1.
    """
    _check_secret(secret)
    _check_counter(counter)
    _check_window("look_ahead", look_ahead)
    params = OathParams(algorithm=algorithm, digits=digits)
    if not _well_formed(code, digits):
        return None
    high = min(counter + look_ahead, _MAX_COUNTER)
    return _scan(secret, code, range(counter, high + 1), params)


def new_seed(nbytes: int = MIN_SEED_BYTES) -> bytes:
    """A fresh random seed of `nbytes` (at least 20: 160 bits)."""
    if not _is_int(nbytes) or nbytes < MIN_SEED_BYTES:
        raise ValueError(f"a seed must have at least {MIN_SEED_BYTES} bytes")
    return secrets.token_bytes(nbytes)


def b32encode_seed(seed: bytes) -> str:
    """Base32 without padding, as authenticator apps and otpauth URIs want it."""
    return base64.b32encode(seed).decode("ascii").rstrip("=")


def b32decode_seed(text: str) -> bytes:
    """Decode base32 typed by a person: any case, spaces and missing padding are fine."""
    compact = "".join(text.split()).upper().rstrip("=")
    if not compact:
        raise ValueError("empty base32 seed")
    padded = compact + "=" * (-len(compact) % 8)
    try:
        return base64.b32decode(padded)
    except binascii.Error as exc:
        raise ValueError(f"not a base32 seed: {exc}") from None


def _label_part(name: str, what: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not name or ":" in name:
        raise ValueError(f"{what} must be non-empty and contain no ':'")
    return name


def otpauth_uri(
    seed: bytes, *, issuer: str, account: str, params: OathParams = OathParams()
) -> str:
    """A Key URI (otpauth://totp/...) for enrolling `seed` in an authenticator app.

    Names are NFC-normalised and percent-encoded as UTF-8 (spaces as %20).
    """
    if params.t0 != 0:
        raise ValueError("otpauth URIs cannot express t0")
    issuer = _label_part(issuer, "issuer")
    account = _label_part(account, "account")
    label = f"{quote(issuer, safe='')}:{quote(account, safe='')}"
    query = "&".join(
        [
            f"secret={b32encode_seed(seed)}",
            f"issuer={quote(issuer, safe='')}",
            f"algorithm={params.algorithm.upper()}",
            f"digits={params.digits}",
            f"period={params.step}",
        ]
    )
    return f"otpauth://totp/{label}?{query}"
