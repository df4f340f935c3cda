"""Time-stamp requests and responses for the tests (asn1crypto, independent of kyso's TSA)."""

from __future__ import annotations

import hashlib
from typing import ClassVar

from asn1crypto import algos, cms, core, tsp

DIGEST = hashlib.sha256(b"hop dong mua ban").digest()


def query(digest: bytes = DIGEST, algorithm: str = "sha256", **fields: object) -> bytes:
    """A DER TimeStampReq (``cert_req`` true unless a field says otherwise)."""
    values: dict[str, object] = {
        "version": "v1",
        "message_imprint": {"hash_algorithm": algos.DigestAlgorithm({"algorithm": algorithm}),
                            "hashed_message": digest},
        "cert_req": True,
    }
    der: bytes = tsp.TimeStampReq(values | fields).dump()
    return der


class Response(core.Sequence):  # type: ignore[misc]
    """TimeStampResp with its token optional (asn1crypto's class requires one)."""

    _fields: ClassVar = [("status", tsp.PKIStatusInfo),
                         ("time_stamp_token", cms.ContentInfo, {"optional": True})]
