"""HOTP/TOTP: the RFC 4226 and RFC 6238 vectors, oathtool cross-checks, and the verifier."""

from __future__ import annotations

import hmac
import json
import random
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from kyso.otp import oath
from kyso.otp.oath import (
    ALGORITHMS,
    MAX_WINDOW,
    OathParams,
    b32decode_seed,
    b32encode_seed,
    dynamic_truncate,
    hotp,
    match_hotp,
    match_totp,
    new_seed,
    otpauth_uri,
    totp,
    totp_counter,
)

VECTORS = Path(__file__).resolve().parents[2] / "vectors"
HOTP_DATA: dict[str, Any] = json.loads((VECTORS / "rfc4226_hotp.json").read_text())
TOTP_DATA: dict[str, Any] = json.loads((VECTORS / "rfc6238_totp.json").read_text())
HOTP_SECRET = bytes.fromhex(HOTP_DATA["secret_hex"])
SECRET = bytes(range(1, 21))
RNG = random.Random(4226_6238)  # fixed, so a failing cross-check can be replayed


def _totp_id(v: dict[str, Any]) -> str:
    return f"{v['algorithm']}@{v['time']}"


# --- RFC vectors -------------------------------------------------------------------------


@pytest.mark.parametrize("v", HOTP_DATA["vectors"], ids=lambda v: f"c{v['counter']}")
def test_rfc4226_hotp(v: dict[str, Any]) -> None:
    assert hotp(HOTP_SECRET, v["counter"], digits=HOTP_DATA["digits"]) == v["hotp"]


@pytest.mark.parametrize("v", HOTP_DATA["vectors"], ids=lambda v: f"c{v['counter']}")
def test_rfc4226_dynamic_truncation(v: dict[str, Any]) -> None:
    mac = bytes.fromhex(v["hmac_sha1_hex"])
    assert dynamic_truncate(mac, 6) == v["hotp"]
    assert int(dynamic_truncate(mac, 10)) == v["truncated_decimal"] == int(v["truncated_hex"], 16)


@pytest.mark.parametrize("v", TOTP_DATA["vectors"], ids=_totp_id)
def test_rfc6238_totp(v: dict[str, Any]) -> None:
    secret = bytes.fromhex(TOTP_DATA["secrets_hex"][v["algorithm"]])
    step, t0, digits = TOTP_DATA["step"], TOTP_DATA["t0"], TOTP_DATA["digits"]
    assert totp_counter(v["time"], step, t0) == int(v["counter_hex"], 16)
    code = totp(secret, v["time"], step=step, digits=digits, algorithm=v["algorithm"], t0=t0)
    assert code == v["totp"]


@pytest.mark.parametrize("v", TOTP_DATA["vectors"], ids=_totp_id)
def test_rfc6238_codes_verify_at_their_counter(v: dict[str, Any]) -> None:
    secret = bytes.fromhex(TOTP_DATA["secrets_hex"][v["algorithm"]])
    params = OathParams(v["algorithm"], TOTP_DATA["digits"], TOTP_DATA["step"])
    found = match_totp(secret, v["totp"], v["time"], params=params, window=0)
    assert found == int(v["counter_hex"], 16)


# --- oathtool cross-checks ---------------------------------------------------------------


@pytest.fixture(scope="module")
def oathtool() -> str:
    path = shutil.which("oathtool")
    if path is None:
        pytest.fail("oathtool is missing; the project needs it: apt-get install -y oathtool")
    return path


def _run(*args: str) -> list[str]:
    done = subprocess.run(args, check=True, capture_output=True, text=True, timeout=30)
    return done.stdout.split()


def _totp_cases() -> list[Any]:
    cases = []
    for algorithm in ALGORITHMS:
        for _ in range(4):
            seed = RNG.randbytes(RNG.choice([20, 32, 64]))
            t0 = RNG.choice([0, 0, 1_000, 86_400])
            when, step = RNG.randrange(t0, 2**32), RNG.choice([30, 90])
            digits = RNG.choice([6, 7, 8])
            name = f"{algorithm}-{len(seed)}B-at{when}-d{digits}-s{step}-t0={t0}"
            cases.append(pytest.param(algorithm, seed, when, digits, step, t0, id=name))
    return cases


def _hotp_cases() -> list[Any]:
    cases = []
    for algorithm in ALGORITHMS:
        for digits in (6, 8):
            seed, counter = RNG.randbytes(RNG.choice([20, 32, 64])), RNG.randrange(0, 2**31)
            name = f"{algorithm}-{len(seed)}B-c{counter}-d{digits}"
            cases.append(pytest.param(algorithm, seed, counter, digits, id=name))
    return cases


@pytest.mark.parametrize(("algorithm", "seed", "when", "digits", "step", "t0"), _totp_cases())
def test_totp_agrees_with_oathtool(
    oathtool: str, algorithm: str, seed: bytes, when: int, digits: int, step: int, t0: int
) -> None:
    options = [f"--totp={algorithm.upper()}", f"--digits={digits}", f"--time-step-size={step}s"]
    theirs = _run(oathtool, *options, f"--start-time=@{t0}", f"--now=@{when}", seed.hex())
    ours = totp(seed, when, step=step, digits=digits, algorithm=algorithm, t0=t0)
    assert theirs == [ours]


@pytest.mark.parametrize(("algorithm", "seed", "counter", "digits"), _hotp_cases())
def test_hotp_agrees_with_oathtool(
    oathtool: str, algorithm: str, seed: bytes, counter: int, digits: int
) -> None:
    if algorithm == "sha1":
        args = ["--hotp", f"--counter={counter}"]
    else:  # oathtool's HOTP is SHA-1 only; TOTP with 1 s steps at t=counter is HOTP(counter)
        args = [f"--totp={algorithm.upper()}", "--time-step-size=1s", f"--now=@{counter}"]
    theirs = _run(oathtool, *args, f"--digits={digits}", seed.hex())
    assert theirs == [hotp(seed, counter, digits=digits, algorithm=algorithm)]


@pytest.mark.parametrize("counter", [0, 7, 123_456])
def test_match_hotp_finds_each_code_of_an_oathtool_window(oathtool: str, counter: int) -> None:
    codes = _run(oathtool, "--hotp", f"--counter={counter}", "--window=3", SECRET.hex())
    assert len(codes) == 4
    for offset, code in enumerate(codes):
        assert match_hotp(SECRET, code, counter, look_ahead=3) == counter + offset
    assert match_hotp(SECRET, codes[3], counter, look_ahead=2) is None
    assert match_hotp(SECRET, codes[0], counter + 1, look_ahead=3) is None


# --- the TOTP verifier -------------------------------------------------------------------

NOW = 1_700_000_000
PARAMS = OathParams()
T = NOW // 30


def _code(counter: int, params: OathParams = PARAMS) -> str:
    return hotp(SECRET, counter, digits=params.digits, algorithm=params.algorithm)


def test_current_code_matches_and_names_its_counter() -> None:
    assert match_totp(SECRET, totp(SECRET, NOW), NOW) == T


@pytest.mark.parametrize("window", [0, 1, 2, MAX_WINDOW])
def test_window_edges(window: int) -> None:
    for counter in range(T - window, T + window + 1):
        assert match_totp(SECRET, _code(counter), NOW, window=window) == counter
    for outside in (T - window - 1, T + window + 1):
        assert match_totp(SECRET, _code(outside), NOW, window=window) is None


def test_step_boundaries() -> None:
    start = T * 30
    assert match_totp(SECRET, _code(T), start, window=0) == T
    assert match_totp(SECRET, _code(T), start + 29.999, window=0) == T
    assert match_totp(SECRET, _code(T), start + 30, window=0) is None
    assert match_totp(SECRET, _code(T), start - 0.001, window=0) is None


def test_replay_guard_rejects_used_and_older_counters() -> None:
    code = _code(T)
    assert match_totp(SECRET, code, NOW, last_counter=T - 1) == T
    assert match_totp(SECRET, code, NOW, last_counter=T) is None
    assert match_totp(SECRET, _code(T - 1), NOW, last_counter=T) is None
    assert match_totp(SECRET, _code(T + 1), NOW, last_counter=T) == T + 1


def test_drift_moves_the_window() -> None:
    assert match_totp(SECRET, _code(T + 3), NOW, window=0, drift=3) == T + 3
    assert match_totp(SECRET, _code(T), NOW, window=0, drift=3) is None
    assert match_totp(SECRET, _code(T - 5), NOW, window=1, drift=-4) == T - 5


def test_every_candidate_is_compared_even_after_a_match(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def spy(a: str, b: str) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(oath.hmac, "compare_digest", spy)
    assert match_totp(SECRET, _code(T - 2), NOW, window=2) == T - 2
    assert [a for a, _ in calls] == [_code(c) for c in range(T - 2, T + 3)]
    calls.clear()
    assert match_totp(SECRET, _code(T), NOW, window=2, last_counter=T + 5) is None
    assert len(calls) == 5


def test_no_counter_below_zero_is_tried() -> None:
    assert match_totp(SECRET, _code(0), 10, window=2) == 0
    assert match_totp(SECRET, _code(0), 10, window=0, drift=-3) is None


@pytest.mark.parametrize(
    "code", ["", "12345", "1234567", "12345a", " 123456", "١٢٣٤٥٦", "１２３４５６", "12345\n"]
)
def test_malformed_codes_never_match(code: str) -> None:
    assert match_totp(SECRET, code, NOW, window=MAX_WINDOW) is None
    assert match_hotp(SECRET, code, 0, look_ahead=MAX_WINDOW) is None


def test_params_are_honoured_by_the_verifier() -> None:
    params = OathParams("sha512", 8, 60)
    code = totp(SECRET, NOW, step=60, digits=8, algorithm="sha512")
    assert match_totp(SECRET, code, NOW, params=params, window=0) == NOW // 60
    assert match_totp(SECRET, code, NOW, window=MAX_WINDOW) is None


@pytest.mark.parametrize(
    "kwargs",
    [{"window": -1}, {"window": MAX_WINDOW + 1}, {"drift": 1.5}, {"last_counter": "3"}],
)
def test_verifier_rejects_bad_arguments(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        match_totp(SECRET, "123456", NOW, **kwargs)


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kwargs",
    [
        {"algorithm": "md5"},
        {"algorithm": "SHA1"},
        {"digits": 5},
        {"digits": 9},
        {"digits": True},
        {"step": 0},
        {"step": -30},
        {"step": 30.0},
        {"t0": -1},
    ],
)
def test_params_validation(kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        OathParams(**kwargs)


def test_params_are_frozen() -> None:
    params = OathParams()
    with pytest.raises(AttributeError):
        params.digits = 8  # type: ignore[misc]


@pytest.mark.parametrize(
    ("secret", "counter", "kwargs"),
    [
        (SECRET, -1, {}),
        (SECRET, 2**64, {}),
        (SECRET, 1.0, {}),
        (SECRET[:15], 0, {}),
        ("x" * 20, 0, {}),
        (SECRET, 0, {"digits": 10}),
        (SECRET, 0, {"algorithm": "sha384"}),
    ],
)
def test_hotp_validation(secret: Any, counter: Any, kwargs: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        hotp(secret, counter, **kwargs)


def test_hotp_accepts_the_largest_counter() -> None:
    assert len(hotp(SECRET, 2**64 - 1)) == 6


def test_totp_counter_floors_and_honours_t0() -> None:
    assert [totp_counter(t) for t in (0, 29, 29.999, 30, 59, 60)] == [0, 0, 0, 1, 1, 2]
    assert totp_counter(1_000 + 59, t0=1_000) == 1
    assert totp_counter(120, step=60) == 2


@pytest.mark.parametrize("when", [-1, 999.5, float("nan"), float("inf")])
def test_totp_counter_rejects_impossible_times(when: float) -> None:
    with pytest.raises(ValueError):
        totp_counter(when, t0=1_000)


# --- seeds -------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [1, 5, 10, 16, 20, 32, 64])
def test_base32_round_trip(size: int) -> None:
    seed = RNG.randbytes(size)
    text = b32encode_seed(seed)
    assert "=" not in text and text == text.upper()
    assert b32decode_seed(text) == seed
    spaced = " ".join(text[i : i + 4] for i in range(0, len(text), 4)).lower()
    assert b32decode_seed(f"  {spaced}\n") == seed


def test_base32_decodes_the_rfc_secret_with_or_without_padding() -> None:
    assert b32decode_seed("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ") == HOTP_SECRET
    assert b32decode_seed("mfrgg===") == b32decode_seed("MFRGG") == b"abc"


@pytest.mark.parametrize("text", ["", "   ", "A", "ABC", "ABCDEF", "MFRGG1", "MFRG!", "МFRGG"])
def test_base32_rejects_garbage(text: str) -> None:
    with pytest.raises(ValueError):
        b32decode_seed(text)


def test_new_seed_is_random_and_long_enough() -> None:
    assert len(new_seed()) == 20
    assert len(new_seed(32)) == 32
    assert len({new_seed() for _ in range(8)}) == 8
    for short in (0, 16, 19):
        with pytest.raises(ValueError):
            new_seed(short)


# --- otpauth URIs ------------------------------------------------------------------------

ISSUER = "Kỳ Số Việt Nam"
ACCOUNT = "Nguyễn Thị Ánh+1@ví-dụ.vn"


def test_otpauth_uri_survives_vietnamese_names() -> None:
    seed = new_seed()
    params = OathParams("sha256", 8, 60)
    uri = otpauth_uri(seed, issuer=ISSUER, account=ACCOUNT, params=params)
    assert uri.isascii() and " " not in uri and "+" not in uri
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc) == ("otpauth", "totp")
    issuer, account = unquote(parts.path[1:]).split(":")
    assert (issuer, account) == (ISSUER, ACCOUNT)
    query = {k: v[0] for k, v in parse_qs(parts.query, strict_parsing=True).items()}
    assert set(query) == {"secret", "issuer", "algorithm", "digits", "period"}
    assert b32decode_seed(query["secret"]) == seed
    assert query["issuer"] == ISSUER
    assert (query["algorithm"], query["digits"], query["period"]) == ("SHA256", "8", "60")


def test_otpauth_uri_defaults_and_nfc() -> None:
    seed = new_seed()
    nfd = unicodedata.normalize("NFD", ISSUER)
    assert nfd != ISSUER
    uri = otpauth_uri(seed, issuer=nfd, account="a")
    assert uri == otpauth_uri(seed, issuer=ISSUER, account="a")
    assert uri.endswith("&algorithm=SHA1&digits=6&period=30")


@pytest.mark.parametrize(
    ("issuer", "account", "params"),
    [
        ("Kyso:Prod", "a", PARAMS),
        ("Kyso", "a:b", PARAMS),
        ("", "a", PARAMS),
        ("Kyso", "  ", PARAMS),
        ("Kyso", "a", OathParams(t0=10)),
    ],
)
def test_otpauth_uri_rejects_what_apps_cannot_read(
    issuer: str, account: str, params: OathParams
) -> None:
    with pytest.raises(ValueError):
        otpauth_uri(new_seed(), issuer=issuer, account=account, params=params)
