"""Real factor proofs for tests that call the signing core directly: `SigningService.grant`
and `DocumentSigner.sign_confirmed` take a `FactorProof`, which only the factor registry
makes after a successful check — so the tests pass one, as production does."""

from __future__ import annotations

import threading
from typing import Any

from kyso.bootstrap import Container
from kyso.otp.factors import FactorProof
from kyso.otp.model import Purpose
from kyso.otp.ocra import ocra
from kyso.otp.token import Challenge
from tests.integration.api.conftest import last_code

_SMS: dict[tuple[int, str], FactorProof] = {}
_LOCK = threading.Lock()  # tests sign from many threads at once


def sms_proof(container: Container, account_id: str, device: Any = None) -> FactorProof:
    """The account proves its method once (an SMS code for SIGN, or the SmartOTP device's
    current code), checked by the registry; the proof is kept for the test's further grants."""
    key = (id(container), account_id)
    with _LOCK:
        if key not in _SMS:
            _SMS[key] = _prove(container, account_id, device)
    return _SMS[key]


def _prove(container: Container, account_id: str, device: Any) -> FactorProof:
    if device is not None:
        code = device.code()
    else:
        container.accounts.send_code(account_id, Purpose.SIGN)
        code = last_code(container, account_id, Purpose.SIGN.value)
    with container.uow() as uow:
        proof = container.factors.check_code(uow, account_id, Purpose.SIGN, code)
        uow.commit()
    return proof


def confirmation(container: Container, challenge: Challenge, seed: bytes) -> FactorProof:
    """The proof a transaction's confirmation gives: its OCRA answer, checked."""
    assert challenge.question is not None and challenge.ocra_suite is not None
    answer = ocra(challenge.ocra_suite, seed, question=challenge.question)
    with container.uow() as uow:
        proof = container.factors.check_transaction(uow, challenge, Purpose.SIGN, answer)
        uow.commit()
    return proof

