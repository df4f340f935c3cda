"""One place for factors: the registry answers for every method, and the signing core takes
only proofs the registry made after a successful check."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from kyso.bootstrap import Container
from kyso.clock import ManualClock
from kyso.keys.model import HashAlgorithm
from kyso.otp import errors
from kyso.otp.factor_sms import SmsFactor
from kyso.otp.factors import FactorProof, FactorRegistry
from kyso.otp.model import Purpose
from kyso.otp.token import Method
from kyso.signing.errors import InvalidSad
from kyso.signing.model import Credential
from kyso.signing.service import Redeemed
from tests.integration.api.conftest import sign_up
from tests.integration.api.smartotp_helpers import Device
from tests.integration.api.test_signing_core import digests, signer  # noqa: F401  # fixture
from tests.proofs import sms_proof


def test_a_proof_cannot_be_made_outside_the_registry() -> None:
    with pytest.raises(TypeError):
        FactorProof("acct", Method.SMS, Purpose.SIGN, datetime.now(UTC))
    with pytest.raises(TypeError):
        FactorProof("acct", Method.SMS, Purpose.SIGN, datetime.now(UTC), None, object())


def test_every_method_has_exactly_one_factor(container: Container) -> None:
    with pytest.raises(ValueError, match="every OTP method"):
        FactorRegistry(container.clock, [SmsFactor(container.oob)])
    assert {container.factors.name(m) for m in Method} == {"SMS OTP", "SmartOTP"}
    assert container.factors.factor(Method.SMARTOTP).offline
    assert not container.factors.factor(Method.SMS).offline


def test_a_wrong_code_gives_no_proof(container: Container,
                                     signer: tuple[str, Device, Credential]) -> None:  # noqa: F811
    account_id, _device, _credential = signer
    with container.uow() as uow, pytest.raises(errors.InvalidOtp):
        container.factors.check_code(uow, account_id, Purpose.SIGN, "000000")


def test_grant_takes_only_a_proof_of_the_credential_owner(
        client: TestClient, container: Container, clock: ManualClock,
        signer: tuple[str, Device, Credential]) -> None:  # noqa: F811
    account_id, device, credential = signer
    with container.uow() as uow:
        proof = container.factors.check_code(uow, account_id, Purpose.SIGN, device.code())
        uow.commit()
    assert proof.account_id == account_id and proof.method is Method.SMARTOTP
    [digest] = digests(1)
    other = sms_proof(container, sign_up(client, 2)["id"])
    with container.uow() as uow:
        with pytest.raises(TypeError):
            container.signing.grant(uow, credential, [digest], HashAlgorithm.SHA256,
                                    object())  # type: ignore[arg-type]  # what a careless caller might pass
        with pytest.raises(TypeError):
            Redeemed(None)  # type: ignore[arg-type]  # the seal is missing
        with pytest.raises(InvalidSad):  # another customer's proof opens nobody else's key
            container.signing.grant(uow, credential, [digest], HashAlgorithm.SHA256, other)
        grant = container.signing.grant(uow, credential, [digest], HashAlgorithm.SHA256, proof)
        uow.commit()
    assert grant.sad
