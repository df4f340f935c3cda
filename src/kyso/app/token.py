"""Codes from the device's token: the state's locked seed + the SmartOTP PIN + the clock.

Time is a parameter: callers pass ``device_time(offset)`` (local time plus the offset learnt
by ``kyso app sync``). A wrong PIN opens a different seed and so gives well-formed, wrong
codes — by design, there is no way to tell here.
"""

from __future__ import annotations

import hmac
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final

from kyso.app import messages as m
from kyso.app.errors import AppError
from kyso.app.models import Activation, Transaction
from kyso.app.state import StoredToken
from kyso.otp.device import DeviceKdf, lock_seed, unlock_seed
from kyso.otp.oath import ALGORITHMS, OathParams, b32decode_seed, hotp, totp_counter
from kyso.otp.ocra import OcraSuite, ocra, transaction_challenge

__all__ = ["KDF_MEMORY_ENV", "Code", "SoftToken", "device_kdf", "device_time", "new_token"]

KDF_MEMORY_ENV: Final = "KYSO_APP_KDF_MEMORY_KIB"


def device_kdf(environ: Mapping[str, str]) -> DeviceKdf:
    """The production KDF, unless ``KYSO_APP_KDF_MEMORY_KIB`` lowers its memory (tests)."""
    memory = environ.get(KDF_MEMORY_ENV)
    try:
        return DeviceKdf() if not memory else DeviceKdf(memory_kib=int(memory))
    except ValueError:
        raise AppError(m.BAD_SETTING, name=KDF_MEMORY_ENV, value=memory) from None


def device_time(offset: float, clock: Callable[[], float] = time.time) -> float:
    """The server's time as this device best knows it."""
    return clock() + offset


@dataclass(frozen=True)
class Code:
    value: str
    counter: int
    expires_in: float
    period: int


class SoftToken:
    """An opened token; it lives only while one command runs."""

    def __init__(self, seed: bytes, params: OathParams, ocra_suite: str) -> None:
        self._seed = seed
        self.params = params
        self.ocra_suite = ocra_suite

    def __repr__(self) -> str:
        return f"SoftToken({self.params}, {self.ocra_suite!r})"

    @classmethod
    def open(cls, stored: StoredToken, pin: str) -> SoftToken:
        return cls(unlock_seed(stored.seed, pin), stored.params, stored.ocra_suite)

    def lock(self, stored: StoredToken, pin: str, kdf: DeviceKdf) -> StoredToken:
        """``stored`` with the same seed locked again under ``pin``."""
        return StoredToken(stored.token_id, lock_seed(self._seed, pin, kdf), stored.params,
                           stored.ocra_suite, stored.activated_at)

    def code_at(self, unix_time: float) -> Code:
        p = self.params
        counter = totp_counter(unix_time, p.step, p.t0)
        value = hotp(self._seed, counter, digits=p.digits, algorithm=p.algorithm)
        left = p.step - (unix_time - p.t0) % p.step
        return Code(value, counter, left, p.step)

    def resync_codes(self, unix_time: float) -> tuple[str, str]:
        """Two consecutive codes: this step's and the next one's (no need to wait)."""
        first = self.code_at(unix_time)
        second = self.code_at(unix_time + self.params.step)
        return first.value, second.value

    def transaction_code(self, tx: Transaction) -> str:
        """The OCRA response over the transaction's question, once the question is checked
        to be the challenge of the very details shown to the person."""
        if tx.question is None or tx.ocra_suite is None:
            raise AppError(m.CHALLENGE_MISMATCH)
        try:
            suite = OcraSuite.parse(tx.ocra_suite)
            expected = transaction_challenge(tx.bound_details(), length=suite.question_length,
                                             fmt=suite.question_format)
        except ValueError:
            raise AppError(m.CHALLENGE_MISMATCH) from None
        if not hmac.compare_digest(expected.upper(), tx.question.upper()):
            raise AppError(m.CHALLENGE_MISMATCH)
        return ocra(suite, self._seed, question=tx.question)


def _algorithm(name: str) -> str:
    algorithm = name.lower().replace("-", "").removeprefix("hmac")
    if algorithm not in ALGORITHMS:
        raise AppError(m.UNSUPPORTED_TOKEN, what=name)
    return algorithm


def new_token(activation: Activation, pin: str, kdf: DeviceKdf) -> StoredToken:
    """Lock the seed handed over at activation under ``pin``; the plain seed goes no further."""
    try:
        params = OathParams(algorithm=_algorithm(activation.algorithm),
                            digits=activation.digits, step=activation.period)
        OcraSuite.parse(activation.ocra_suite)
        seed = b32decode_seed(activation.seed_b32)
    except ValueError as exc:
        raise AppError(m.UNSUPPORTED_TOKEN, what=str(exc)) from None
    activated = (activation.server_time.isoformat() if activation.server_time
                 else time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
    return StoredToken(activation.token_id, lock_seed(seed, pin, kdf), params,
                       activation.ocra_suite, activated)
