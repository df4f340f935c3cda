"""kyso's own time stamps, OCSP responses, CRLs and CA certificates for pyHanko, in-process.

Signing at B-T and above needs a time stamp; B-LT needs the revocation data of the signer's
chain; validation needs the same. kyso is its own TSA, OCSP responder and CRL issuer, so
instead of HTTP to itself these adapters call the PKI's publisher directly (no socket, no
extra worker). A URL that is not under kyso's public base URL is never fetched: hostile
documents cannot make the server reach out anywhere.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Iterable
from datetime import datetime
from typing import Any, NamedTuple, Protocol, TypeAlias
from urllib.parse import urlsplit

from asn1crypto import cms, crl, ocsp, tsp, x509
from pyhanko.sign.timestamps.api import TimeStamper
from pyhanko.sign.validation.dss import DocumentSecurityStore
from pyhanko_certvalidator import ValidationContext, errors
from pyhanko_certvalidator.authority import Authority
from pyhanko_certvalidator.fetchers.api import (
    CertificateFetcher,
    CRLFetcher,
    FetcherBackend,
    Fetchers,
    OCSPFetcher,
)
from pyhanko_certvalidator.fetchers.common_utils import (
    enumerate_delivery_point_urls,
    format_ocsp_request,
    gather_aia_issuer_urls,
    process_ocsp_response_data,
)
from pyhanko_certvalidator.util import get_ocsp_urls, get_relevant_crl_dps, issuer_serial

from kyso.errors import KysoError
from kyso.pki.model import ROOT

__all__ = ["Embedded", "KysoFetchers", "KysoTimeStamper", "KysoTrust", "PkiEndpoints"]

_PARSE_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError)
Cert: TypeAlias = x509.Certificate | cms.AttributeCertificateV2


class PkiEndpoints(Protocol):
    """What ``/pki/…`` serves (``kyso.pki.publishing.PkiPublisher``)."""

    def ca_certificate(self, name: str) -> bytes: ...

    def crl(self, name: str) -> bytes: ...

    def ocsp(self, request: bytes) -> bytes: ...

    def timestamp(self, request: bytes) -> bytes: ...


class KysoTimeStamper(TimeStamper):
    """pyHanko's RFC 3161 client, answered by kyso's TSA without HTTP."""

    def __init__(self, pki: PkiEndpoints) -> None:
        super().__init__(include_nonce=True)  # type: ignore[no-untyped-call]  # pyHanko: untyped
        self._pki = pki

    async def async_request_tsa_response(self, req: tsp.TimeStampReq) -> tsp.TimeStampResp:
        return tsp.TimeStampResp.load(self._pki.timestamp(req.dump()))


class _Router:
    """Which kyso endpoint a URL names: ``(kind, name)``, or None if it is not kyso's."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self._origin = (parts.scheme, parts.netloc.lower())
        self._prefix = parts.path.rstrip("/") + "/pki/"

    def route(self, url: str) -> tuple[str, str] | None:
        parts = urlsplit(url)
        if (parts.scheme, parts.netloc.lower()) != self._origin or parts.query:
            return None
        rest = parts.path.removeprefix(self._prefix)
        if rest == parts.path:
            return None
        if rest == "ocsp":
            return "ocsp", ""
        for kind, suffix in (("ca", ".cer"), ("crl", ".crl")):
            head = f"{kind}/"
            if rest.startswith(head) and rest.endswith(suffix) and "/" not in rest[len(head):]:
                return kind, rest[len(head):-len(suffix)]
        return None


class _Ocsp(OCSPFetcher):
    def __init__(self, pki: PkiEndpoints, router: _Router) -> None:
        self._pki, self._router = pki, router
        self._answers: dict[tuple[object, object], ocsp.OCSPResponse] = {}

    async def fetch(self, cert: Cert, authority: Authority) -> ocsp.OCSPResponse:
        tag = (issuer_serial(cert), authority.hashable)
        if tag not in self._answers:
            self._answers[tag] = self._ask(cert, authority)
        return self._answers[tag]

    def _ask(self, cert: Cert, authority: Authority) -> ocsp.OCSPResponse:
        urls = [u for u in get_ocsp_urls(cert) if self._router.route(u) == ("ocsp", "")]
        if not urls:
            raise errors.OCSPFetchError("no kyso OCSP responder for this certificate")
        request = format_ocsp_request(cert, authority, certid_hash_algo="sha1",
                                      request_nonces=True)
        try:
            answer = self._pki.ocsp(request.dump())
            return process_ocsp_response_data(answer, ocsp_request=request, ocsp_url=urls[0])
        except (KysoError, *_PARSE_ERRORS) as exc:
            raise errors.OCSPFetchError(f"kyso's OCSP responder failed: {exc}") from exc

    def fetched_responses(self) -> Iterable[ocsp.OCSPResponse]:
        return set(self._answers.values())

    def fetched_responses_for_cert(self, cert: Cert) -> Iterable[ocsp.OCSPResponse]:
        wanted = issuer_serial(cert)
        return {answer for (who, _), answer in self._answers.items() if who == wanted}


class _Crl(CRLFetcher):
    def __init__(self, pki: PkiEndpoints, router: _Router) -> None:
        self._pki, self._router = pki, router
        self._by_cert: dict[object, list[crl.CertificateList]] = {}

    async def fetch(self, cert: Cert, *, use_deltas: bool | None = None,
                    ) -> Iterable[crl.CertificateList]:
        key = issuer_serial(cert)
        if key not in self._by_cert:
            self._by_cert[key] = [self._get(name) for name in self._names(cert, use_deltas)]
        return self._by_cert[key]

    def _names(self, cert: Cert, use_deltas: bool | None) -> list[str]:
        names = []
        for point in get_relevant_crl_dps(cert, use_deltas=bool(use_deltas)):
            for url in enumerate_delivery_point_urls(point):
                route = self._router.route(url)
                if route is not None and route[0] == "crl":
                    names.append(route[1])
        return names

    def _get(self, name: str) -> crl.CertificateList:
        try:
            return crl.CertificateList.load(self._pki.crl(name))
        except (KysoError, *_PARSE_ERRORS) as exc:
            raise errors.CRLFetchError(f"kyso's CRL {name!r} is unavailable: {exc}") from exc

    def fetched_crls(self) -> Iterable[crl.CertificateList]:
        return {c for found in self._by_cert.values() for c in found}

    def fetched_crls_for_cert(self, cert: Cert) -> Iterable[crl.CertificateList]:
        return self._by_cert[issuer_serial(cert)]


class _Certs(CertificateFetcher):
    def __init__(self, pki: PkiEndpoints, router: _Router) -> None:
        self._pki, self._router = pki, router
        self._fetched: dict[str, x509.Certificate] = {}

    async def _issuers(self, urls: Iterable[str]) -> AsyncGenerator[x509.Certificate, None]:
        for url in urls:
            route = self._router.route(url)
            if route is None or route[0] != "ca":
                continue
            if url not in self._fetched:
                try:
                    der = self._pki.ca_certificate(route[1])
                    self._fetched[url] = x509.Certificate.load(der)
                except (KysoError, *_PARSE_ERRORS) as exc:
                    raise errors.CertificateFetchError(f"no kyso CA at {url}") from exc
            yield self._fetched[url]

    def fetch_cert_issuers(self, cert: Cert) -> AsyncGenerator[x509.Certificate, None]:
        return self._issuers(gather_aia_issuer_urls(cert))

    def fetch_crl_issuers(self, certificate_list: crl.CertificateList,
                          ) -> AsyncGenerator[x509.Certificate, None]:
        return self._issuers(gather_aia_issuer_urls(certificate_list))

    def fetched_certs(self) -> Iterable[x509.Certificate]:
        return set(self._fetched.values())


class KysoFetchers(FetcherBackend):
    """A fetcher backend on kyso's own endpoints; each validation context gets fresh caches."""

    def __init__(self, pki: PkiEndpoints, base_url: str) -> None:
        self._pki = pki
        self._router = _Router(base_url)

    def get_fetchers(self) -> Fetchers:
        return Fetchers(ocsp_fetcher=_Ocsp(self._pki, self._router),
                        crl_fetcher=_Crl(self._pki, self._router),
                        cert_fetcher=_Certs(self._pki, self._router))


class Embedded(NamedTuple):
    """Certificates and revocation data a signature carries (B-LT)."""

    certs: tuple[x509.Certificate, ...] = ()
    crls: tuple[crl.CertificateList, ...] = ()
    ocsps: tuple[ocsp.OCSPResponse, ...] = ()


class KysoTrust:
    """kyso's root as the only trust anchor, its TSA, and its revocation data, cached."""

    def __init__(self, pki: PkiEndpoints, base_url: str) -> None:
        self._pki = pki
        self._fetchers = KysoFetchers(pki, base_url)
        self.timestamper = KysoTimeStamper(pki)
        self._root: x509.Certificate | None = None

    @property
    def root(self) -> x509.Certificate:
        if self._root is None:  # the hierarchy must exist first (NotInitialized otherwise)
            self._root = x509.Certificate.load(self._pki.ca_certificate(ROOT))
        return self._root

    def context(self, at: datetime, *, retroactive: bool = False,
                dss: DocumentSecurityStore | None = None,
                embedded: Embedded | None = None) -> ValidationContext:
        """Validation at ``at`` with fresh OCSP/CRL answers; missing revocation data fails.

        ``retroactive``: answers issued after ``at`` speak for it (kyso's CRLs and OCSP
        answers keep a revocation's date), for validating a signature at the time its time
        stamp proves. ``dss``: the document's own revocation data and certificates too;
        ``embedded``: the same, from elsewhere (an XAdES signature's values)."""
        settings: dict[str, Any] = {
            "trust_roots": [self.root], "moment": at, "allow_fetching": True,
            "fetcher_backend": self._fetchers, "revocation_mode": "hard-fail",
            "retroactive_revinfo": retroactive}
        if embedded is not None:
            settings |= {"other_certs": list(embedded.certs), "crls": list(embedded.crls),
                         "ocsps": list(embedded.ocsps)}
        if dss is not None:
            return dss.as_validation_context(settings)
        return ValidationContext(**settings)
