"""pyHanko's own CSC client signs PDFs through kyso's ``/csc/v2`` on a real socket, and
pyHanko's validator, trusting only kyso's root and checking revocation online, says the
signatures are intact, valid and trusted."""

from __future__ import annotations

from io import BytesIO

import pytest
from asn1crypto import cms
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import SigningError

from kyso.keys.model import KeyAlgorithm
from kyso.pki.model import RevocationReason
from tests.integration.csc.conftest import Signer, World
from tests.integration.csc.pyhanko_client import pss_mechanism, sign_pdfs, small_pdf, validate


def _root(world: World) -> bytes:
    return world.container.pki_publisher.ca_certificate("root")


def _assert_trusted(world: World, signed: bytes, signer: Signer) -> cms.SignerInfo:
    status = validate(signed, _root(world), moment=world.clock.now(), fetch=True)
    assert status.intact and status.valid and status.trusted, status.pretty_print_details()
    assert status.bottom_line
    assert status.signing_cert.dump() == signer.credential.chain[0]
    [embedded] = PdfFileReader(BytesIO(signed)).embedded_signatures
    info: cms.SignerInfo = embedded.signer_info
    return info


@pytest.mark.parametrize("algorithm", [KeyAlgorithm.RSA_2048, KeyAlgorithm.EC_P256],
                         ids=["rsa", "ec"])
def test_pyhanko_signs_a_pdf_through_kyso_and_it_validates(world: World,
                                                           algorithm: KeyAlgorithm) -> None:
    signer = world.customer(algorithm)
    [signed] = sign_pdfs(world.url, signer.token, signer.credential_id, signer.otp,
                         [small_pdf()])
    info = _assert_trusted(world, signed, signer)
    expected = "sha256_rsa" if algorithm is KeyAlgorithm.RSA_2048 else "sha256_ecdsa"
    assert info["signature_algorithm"]["algorithm"].native == expected


def test_a_batch_of_documents_takes_one_authorization(world: World) -> None:
    signer = world.customer()
    codes: list[str] = []

    def otp() -> str:
        codes.append(signer.otp())
        return codes[-1]

    pdfs = [small_pdf(f"Hop dong {n}".encode()) for n in range(3)]
    signed = sign_pdfs(world.url, signer.token, signer.credential_id, otp, pdfs)
    assert len(codes) == 1  # one OTP, one SAD bound to the three hashes, one signHash
    for document in signed:
        _assert_trusted(world, document, signer)


def test_rsa_pss_with_the_salt_as_long_as_the_hash(world: World) -> None:
    signer = world.customer()
    [signed] = sign_pdfs(world.url, signer.token, signer.credential_id, signer.otp,
                         [small_pdf()], mechanism=pss_mechanism("sha256", 32))
    info = _assert_trusted(world, signed, signer)
    assert info["signature_algorithm"]["algorithm"].native == "rsassa_pss"


def test_prefer_pss_signs_with_the_longest_salt(world: World) -> None:
    """pyHanko's own ``prefer_pss=True`` (unchanged: it asks for the longest salt the key
    allows, 222 bytes for RSA-2048 with SHA-256, as ``info`` advertises)."""
    signer = world.customer()
    calls: list[tuple[str, int]] = []
    [signed] = sign_pdfs(world.url, signer.token, signer.credential_id, signer.otp,
                         [small_pdf()], calls=calls, prefer_pss=True)
    info = _assert_trusted(world, signed, signer)
    algorithm = info["signature_algorithm"]
    assert algorithm["algorithm"].native == "rsassa_pss"
    assert algorithm["parameters"]["salt_length"].native == 222
    assert calls == [("credentials/info", 200), ("credentials/authorize", 200),
                     ("signatures/signHash", 200)]


def test_pss_with_another_salt_is_refused_not_signed_wrongly(world: World) -> None:
    signer = world.customer()
    calls: list[tuple[str, int]] = []
    with pytest.raises(SigningError):
        sign_pdfs(world.url, signer.token, signer.credential_id, signer.otp, [small_pdf()],
                  calls=calls, mechanism=pss_mechanism("sha256", 100))
    assert calls == [("credentials/info", 200), ("credentials/authorize", 200),
                     ("signatures/signHash", 400)]


def test_a_revoked_certificate_signs_nothing(world: World) -> None:
    signer = world.customer()
    world.container.pki.revoke(signer.credential.certificate.serial,
                               RevocationReason.KEY_COMPROMISE, actor="test")
    calls: list[tuple[str, int]] = []
    with pytest.raises(SigningError):
        sign_pdfs(world.url, signer.token, signer.credential_id, signer.otp, [small_pdf()],
                  calls=calls)
    assert calls == [("credentials/info", 200), ("credentials/authorize", 400)]
