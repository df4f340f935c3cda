"""Request bodies of the CSC API, in the v2 spelling with the v1 names accepted too.

pyHanko's CSC client (and other v1 clients) send ``hash``, ``hashAlgo``, ``PIN`` and ``OTP``
even under ``/csc/v2/``; v2 clients send ``hashes``, ``hashAlgorithmOID`` and ``authData``.
JSON types are checked strictly (``"2"`` is not a number). Fields the spec defines that kyso
does not use (``clientData``, ``lang``, ``description`` …) and vendor extras are ignored,
as CSC clients send them freely.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, StringConstraints

from kyso.entrypoints.bounds import NumSignatures

__all__ = [
    "AuthObject",
    "AuthorizeIn",
    "ChallengeIn",
    "CredentialInfoIn",
    "CredentialListIn",
    "CredentialRef",
    "CscIn",
    "DocumentIn",
    "ExtendIn",
    "InfoIn",
    "LoginIn",
    "RevokeIn",
    "SignDocIn",
    "SignHashIn",
    "SignPollingIn",
    "TimestampIn",
]

Id = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Secret = Annotated[str, StringConstraints(min_length=1, max_length=64)]
Oid = Annotated[str, StringConstraints(min_length=3, max_length=64, pattern=r"^[0-9.]+$")]
B64 = Annotated[str, StringConstraints(min_length=1, max_length=4096)]
Certificates = Literal["none", "single", "chain"]


def _either(v2: str, v1: str) -> AliasChoices:
    return AliasChoices(v2, v1)


class CscIn(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True, populate_by_name=True)


class InfoIn(CscIn):
    lang: Annotated[str, StringConstraints(max_length=35)] | None = None


class LoginIn(CscIn):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None
    remember_me: bool = Field(False, validation_alias="rememberMe")


class RevokeIn(CscIn):
    token: Secret
    token_type_hint: Literal["access_token", "refresh_token"] | None = None


class CredentialListIn(CscIn):
    user_id: str | None = Field(None, validation_alias="userID")
    credential_info: bool = Field(False, validation_alias="credentialInfo")
    certificates: Certificates = "single"
    cert_info: bool = Field(False, validation_alias="certInfo")
    auth_info: bool = Field(False, validation_alias="authInfo")
    only_valid: bool = Field(False, validation_alias="onlyValid")


class CredentialRef(CscIn):
    credential_id: Id = Field(validation_alias="credentialID")


class CredentialInfoIn(CredentialRef):
    certificates: Certificates = "single"
    cert_info: bool = Field(False, validation_alias="certInfo")
    auth_info: bool = Field(False, validation_alias="authInfo")


class AuthObject(CscIn):
    id: Id
    value: Secret | None = None


class AuthorizeIn(CredentialRef):
    num_signatures: NumSignatures = Field(validation_alias="numSignatures")
    hashes: list[B64] | None = Field(None, validation_alias=_either("hashes", "hash"))
    hash_algo: Oid | None = Field(None, validation_alias=_either("hashAlgorithmOID", "hashAlgo"))
    auth_data: list[AuthObject] | None = Field(None, validation_alias="authData")
    pin: Secret | None = Field(None, validation_alias="PIN")
    otp: Secret | None = Field(None, validation_alias="OTP")

    def factor(self, name: str) -> str | None:
        """The ``PIN`` or ``OTP``: the v1 field, or the v2 ``authData`` object of that id."""
        given = self.pin if name == "PIN" else self.otp
        for item in self.auth_data or ():
            if item.id == name and item.value is not None:
                given = item.value
        return given


class ExtendIn(CredentialRef):
    sad: Secret = Field(validation_alias="SAD")
    hashes: list[B64] | None = Field(None, validation_alias=_either("hashes", "hash"))
    hash_algo: Oid | None = Field(None, validation_alias=_either("hashAlgorithmOID", "hashAlgo"))


class SignHashIn(CredentialRef):
    """``SAD`` may be left out with a credential-scope token (it carries one) or, in
    asynchronous mode, to have the customer approve in the app."""

    sad: Secret | None = Field(None, validation_alias="SAD")
    hashes: list[B64] = Field(validation_alias=_either("hashes", "hash"))
    hash_algo: Oid | None = Field(None, validation_alias=_either("hashAlgorithmOID", "hashAlgo"))
    sign_algo: Oid = Field(validation_alias="signAlgo")
    sign_algo_params: B64 | None = Field(None, validation_alias="signAlgoParams")
    operation_mode: Literal["S", "A"] = Field("S", validation_alias="operationMode")
    validity_period: Annotated[int, Field(ge=1, le=600)] | None = None
    response_uri: Annotated[str, StringConstraints(max_length=500)] | None = None


class SignPollingIn(CscIn):
    response_id: Id = Field(validation_alias="responseID")


class ChallengeIn(CredentialRef):
    pass


class DocumentIn(CscIn):
    document: Annotated[str, StringConstraints(min_length=1)]  # Base64 (bounded by the body)
    signature_format: Literal["P", "X"]  # PAdES, XAdES
    conformance_level: Annotated[str, StringConstraints(max_length=20)] | None = None
    sign_algo: Oid = Field(validation_alias="signAlgo")
    sign_algo_params: B64 | None = Field(None, validation_alias="signAlgoParams")
    hash_algo: Oid | None = Field(None, validation_alias=_either("hashAlgorithmOID", "hashAlgo"))
    signed_envelope_property: Literal["Certification", "Revision", "Enveloped", "Enveloping",
                                      "Detached"] | None = None


class SignDocIn(CredentialRef):
    sad: Secret | None = Field(None, validation_alias="SAD")
    documents: list[DocumentIn] | None = Field(None, min_length=1, max_length=10)
    document_digests: list[Any] | None = Field(None, validation_alias="documentDigests")
    operation_mode: Literal["S"] = Field("S", validation_alias="operationMode")


class TimestampIn(CscIn):
    hash: B64
    hash_algo: Oid = Field(validation_alias=_either("hashAlgo", "hashAlgorithmOID"))
    nonce: Annotated[str, StringConstraints(min_length=1, max_length=64)] | None = None
